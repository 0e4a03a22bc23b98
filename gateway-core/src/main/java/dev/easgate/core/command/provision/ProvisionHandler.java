package dev.easgate.core.command.provision;

import dev.easgate.backends.logging.LogText;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.DeviceRecord.WipeState;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.settings.DeviceInformation;
import dev.easgate.core.policy.DevicePolicy;
import dev.easgate.core.policy.PolicyDocument;
import dev.easgate.core.policy.PolicyResolver;
import dev.easgate.core.policy.PolicySet;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Provision (MS-ASPROV 3.2.5.1).
 *
 * <ul>
 *   <li>Initial request (Policies/Policy/PolicyType): a random temporary key is stored as the device's pending key
 *       and answered with the user's policy set (3.2.5.1.1), read afresh ({@link PolicyResolver}); which set was
 *       offered is kept under the temporary key and, once acknowledged, under the final key, so the front can send
 *       the device back here when the user's set changes. MS-EAS-Provisioning-WBXML is served to 12.0+ clients and
 *       MS-WAP-Provisioning-XML to 2.5 clients; any other type, or a type of the other protocol generation, gets
 *       Policy Status 3 (2.2.2.54.1).</li>
 *   <li>Acknowledgement (PolicyKey + Status): the pending key becomes a new random final key, stored as the
 *       device's policy key (3.2.5.1.2.1). The gateway enforces nothing on the device, so every client status
 *       (1 applied, 2 partially, 3 not, 4 externally managed) is accepted and logged. A key that is not the pending
 *       one gets Policy Status 5.</li>
 *   <li>Remote wipe: while a wipe is requested, every Provision is answered with Status 1 and an empty RemoteWipe
 *       (or, for 16.1 clients, AccountOnlyRemoteWipe); the device's acknowledgement with Status 1 is recorded as
 *       acknowledged and answered with Status 1, a failure with Status 2 and the directive again (3.2.5.1.2.2).
 *       An account-only wipe cannot be expressed before 16.1; rather than escalate to a full wipe such clients get
 *       Provision Status 3 and a warning is logged.</li>
 *   <li>Settings:DeviceInformation in the request (14.1+) is recorded and answered with its Status 1
 *       (3.2.5.1.1); before 14.1 it is ignored.</li>
 *   <li>A request without Policies, PolicyType or a wipe acknowledgement gets Provision Status 2 (MS-ASCMD 3.1.5.1).</li>
 * </ul>
 */
public final class ProvisionHandler implements CommandHandler {
    static final String EAS_WBXML = "MS-EAS-Provisioning-WBXML";
    static final String WAP_XML = "MS-WAP-Provisioning-XML";
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionHandler.class);

    private final StateStore state;
    private final PolicyResolver policies;
    private final SecureRandom random = new SecureRandom();

    /** Serves {@code policy} to every device (no policy sets). */
    public ProvisionHandler(StateStore state, PolicyDocument policy) {
        this(state, PolicyResolver.global(policy, state));
    }

    public ProvisionHandler(StateStore state, PolicyResolver policies) {
        this.state = Objects.requireNonNull(state, "state");
        this.policies = Objects.requireNonNull(policies, "policies");
    }

    @Override
    public EasCommand command() {
        return EasCommand.PROVISION;
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        // A wipe-requested device may send an empty Provision (MS-ASPROV 3.1.5.1.1): no body is read as one.
        WbxmlElement body = request.body() != null ? request.body()
                : WbxmlElement.el(CodePage.PROVISION, "Provision").build();
        if (!body.matches("Provision:Provision")) {
            return refuse(request, "root is not Provision", status(2).build()).map(CommandResponse::ok);
        }
        // MS-ASPROV 2.2.2.53: DeviceInformation in Provision is 14.1+; before, it is neither recorded nor answered
        WbxmlElement deviceInfoElement = request.version().atLeast(ProtocolVersion.V14_1)
                ? body.child("Settings:DeviceInformation") : null;
        DeviceInformation info = deviceInfoElement == null ? null : DeviceInformation.from(deviceInfoElement);
        Mono<Void> recordInfo = info == null ? Mono.empty() : update(request, info::applyTo);
        WbxmlElement infoStatus = deviceInfoElement == null ? null : WbxmlElement.el(CodePage.SETTINGS,
                "DeviceInformation").child("Status", info == null ? "2" : "1").build();
        return recordInfo.then(Mono.defer(() -> current(request)))
                .flatMap(device -> respond(request, device, body))
                .map(response -> CommandResponse.ok(withDeviceInformation(response, infoStatus)));
    }

    private Mono<WbxmlElement> respond(CommandRequest request, DeviceRecord device, WbxmlElement body) {
        WbxmlElement wipeAck = body.child("Provision:RemoteWipe");
        // MS-ASPROV 2.2.2.1: AccountOnlyRemoteWipe is 16.1 only; an earlier client's is not an acknowledgement
        WbxmlElement accountWipeAck = request.version().atLeast(ProtocolVersion.V16_1)
                ? body.child("Provision:AccountOnlyRemoteWipe") : null;
        if (wipeAck != null || accountWipeAck != null) {
            return wipeAcknowledgement(request, device, wipeAck != null, wipeAck != null ? wipeAck : accountWipeAck);
        }
        if (device.wipe() == WipeState.WIPE_REQUESTED) {
            LOG.info("remote wipe directive sent to user={} device={}", request.user(), request.query().deviceId());
            return Mono.just(status(1).empty("RemoteWipe").build());
        }
        if (device.wipe() == WipeState.ACCOUNT_WIPE_REQUESTED) {
            if (request.version().atLeast(ProtocolVersion.V16_1)) {
                LOG.info("account-only remote wipe directive sent to user={} device={}", request.user(),
                        request.query().deviceId());
                return Mono.just(status(1).empty("AccountOnlyRemoteWipe").build());
            }
            LOG.warn("account-only wipe requested for user={} device={} but protocol {} cannot express it: "
                    + "answering status 3", request.user(), request.query().deviceId(), request.version().header());
            return Mono.just(status(3).build());
        }
        WbxmlElement policyElement = body.child("Provision:Policies") == null ? null
                : body.child("Provision:Policies").child("Provision:Policy");
        String type = policyElement == null ? null : policyElement.childText("Provision:PolicyType");
        if (type == null) {
            return refuse(request, "Provision without Policies/Policy/PolicyType", status(2).build());
        }
        type = type.strip();
        if (!type.equals(expectedType(request.version()))) {
            LOG.info("Provision refused for user={} device={}: PolicyType {} not served to protocol {}",
                    request.user(), request.query().deviceId(), type, request.version().header());
            return Mono.just(policyResponse(type, 3, 0, null));
        }
        String acknowledgedKey = policyElement.childText("Provision:PolicyKey");
        if (acknowledgedKey != null) {
            return acknowledge(request, device, type, acknowledgedKey.strip(),
                    policyElement.childText("Provision:Status"));
        }
        return download(request, type);
    }

    private static String expectedType(ProtocolVersion version) {
        return version.atLeast(ProtocolVersion.V12_0) ? EAS_WBXML : WAP_XML;
    }

    /** Phase one: a temporary key, pending until acknowledged, and the policy (3.2.5.1.1). */
    private Mono<WbxmlElement> download(CommandRequest request, String type) {
        long temporary = newKey(0);
        return policies.resolve(request.user(), true).flatMap(resolution -> {
            PolicySet set = resolution.set();
            PolicyDocument policy = set.document();
            WbxmlElement data = type.equals(EAS_WBXML)
                    ? WbxmlElement.el(CodePage.PROVISION, "Data").child(policy.easProvisionDoc(request.version()))
                            .build()
                    : WbxmlElement.el(CodePage.PROVISION, "Data").text(policy.wapProvisioningDoc()).build();
            if (policies.sets().enabled()) {
                LOG.info("policy set {} ({}) offered to user={} device={}", set.name(), resolution.source(),
                        LogText.escape(request.user()), LogText.escape(request.query().deviceId()));
            }
            return state.putValue(request.deviceKey(), DevicePolicy.OFFERED,
                            new DevicePolicy(temporary, set.fingerprint()).encode())
                    .then(update(request, device -> device.withPolicyKeys(device.policyKey(), temporary)))
                    .thenReturn(policyResponse(type, 1, temporary, data));
        });
    }

    /**
     * Phase two: the pending key becomes a final key (3.2.5.1.2.1); another key gets Policy Status 5, except the
     * key of the last acknowledgement repeated (its answer was lost), which gets the same final key again.
     */
    private Mono<WbxmlElement> acknowledge(CommandRequest request, DeviceRecord device, String type, String key,
                                           String clientStatus) {
        long pending = device.pendingPolicyKey();
        if (pending == 0 || !key.equals(Long.toString(pending))) {
            return state.value(request.deviceKey(), Acknowledgement.VALUE)
                    .mapNotNull(Acknowledgement::decode)
                    .filter(last -> last.repeatedBy(key, device.policyKey()))
                    .map(last -> {
                        LOG.info("Provision acknowledgement repeated by user={} device={}: the same final key",
                                LogText.escape(request.user()), LogText.escape(request.query().deviceId()));
                        return policyResponse(type, 1, last.issued(), null);
                    })
                    .switchIfEmpty(Mono.fromSupplier(() -> {
                        LOG.info("Provision acknowledgement refused for user={} device={}: key is not the pending"
                                + " key", request.user(), request.query().deviceId());
                        return policyResponse(type, 5, 0, null);
                    }));
        }
        long fin = newKey(pending);
        LOG.info("device user={} device={} provisioned (client status {})", request.user(),
                request.query().deviceId(), clientStatus == null ? "none" : clientStatus.strip());
        // the set offered under this temporary key is what the device now holds (the global one if none was kept)
        Mono<String> offered = state.value(request.deviceKey(), DevicePolicy.OFFERED)
                .mapNotNull(DevicePolicy::decode)
                .filter(offer -> offer.key() == pending)
                .map(DevicePolicy::fingerprint)
                .defaultIfEmpty(policies.sets().global().fingerprint());
        return offered.flatMap(fingerprint -> policies.recordAcknowledged(request.deviceKey(),
                        new DevicePolicy(fin, fingerprint)))
                .then(state.putValue(request.deviceKey(), Acknowledgement.VALUE,
                        new Acknowledgement(pending, fin).encode()))
                .then(update(request, current -> current.withPolicyKeys(fin, 0)))
                .thenReturn(policyResponse(type, 1, fin, null));
    }

    /** The device's answer to a wipe directive (3.2.5.1.2.2 and 3.2.5.1.2.3). */
    private Mono<WbxmlElement> wipeAcknowledgement(CommandRequest request, DeviceRecord device, boolean full,
                                                   WbxmlElement ack) {
        String directive = full ? "RemoteWipe" : "AccountOnlyRemoteWipe";
        WipeState requested = full ? WipeState.WIPE_REQUESTED : WipeState.ACCOUNT_WIPE_REQUESTED;
        WipeState acknowledged = full ? WipeState.WIPE_ACKNOWLEDGED : WipeState.ACCOUNT_WIPE_ACKNOWLEDGED;
        if (device.wipe() != requested && device.wipe() != acknowledged) {
            return refuse(request, directive + " acknowledged but none was requested", status(2).build());
        }
        String clientStatus = ack.childText("Provision:Status");
        if (!"1".equals(clientStatus == null ? null : clientStatus.strip())) {
            LOG.warn("{} failed on user={} device={} (client status {}): directive repeated", directive,
                    request.user(), request.query().deviceId(), clientStatus);
            return Mono.just(status(2).empty(directive).build());
        }
        LOG.info("{} acknowledged by user={} device={}", directive, request.user(), request.query().deviceId());
        return update(request, current -> current.withWipe(acknowledged))
                .thenReturn(status(1).empty(directive).build());
    }

    private static WbxmlElement.Builder status(int status) {
        return WbxmlElement.el(CodePage.PROVISION, "Provision").child("Status", status);
    }

    /** Provision Status 1 with one Policy: PolicyType, Status, PolicyKey (when non-zero) and Data (when given). */
    private static WbxmlElement policyResponse(String type, int policyStatus, long key, WbxmlElement data) {
        return status(1).child("Policies", policies -> policies.child("Policy", p -> {
            p.child("PolicyType", type).child("Status", policyStatus);
            if (key != 0) {
                p.child("PolicyKey", Long.toString(key));
            }
            if (data != null) {
                p.child(data);
            }
        })).build();
    }

    /** Puts Settings:DeviceInformation/Status first, as MS-ASPROV 3.2.5.1.1 shows the response. */
    private static WbxmlElement withDeviceInformation(WbxmlElement response, WbxmlElement infoStatus) {
        if (infoStatus == null) {
            return response;
        }
        return WbxmlElement.el(response.tag()).child(infoStatus).children(response.children()).build();
    }

    private Mono<WbxmlElement> refuse(CommandRequest request, String reason, WbxmlElement response) {
        LOG.info("Provision refused for user={} device={}: {}", request.user(), request.query().deviceId(), reason);
        return Mono.just(response);
    }

    /** A random 32-bit unsigned key, never 0 and never {@code other} (MS-ASPROV 2.2.2.42). */
    private long newKey(long other) {
        long key;
        do {
            key = Integer.toUnsignedLong(random.nextInt());
        } while (key == 0 || key == other);
        return key;
    }

    private Mono<DeviceRecord> current(CommandRequest request) {
        return state.device(request.deviceKey()).defaultIfEmpty(request.device());
    }

    /** Applies {@code change} to the stored device record (the freshest one, not the request's copy). */
    private Mono<Void> update(CommandRequest request, UnaryOperator<DeviceRecord> change) {
        return current(request).flatMap(device -> state.putDevice(change.apply(device)));
    }
}
