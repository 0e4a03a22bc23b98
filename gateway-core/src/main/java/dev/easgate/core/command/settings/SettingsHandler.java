package dev.easgate.core.command.settings;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.oof.OofSettings;
import dev.easgate.backends.oof.OutOfOfficeException;
import dev.easgate.backends.oof.OutOfOfficeStore;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Settings (MS-ASCMD 2.2.1.18): each child of the request is answered by the same element with its own Status
 * (2.2.3.177.15: 1 success, 2 protocol error), in request order, after the overall Status.
 *
 * <ul>
 *   <li>DeviceInformation/Set: Model, OS and FriendlyName are recorded on the device record.</li>
 *   <li>UserInformation/Get: the account's address; before 14.1 as EmailAddresses/SMTPAddress, from 14.1 as
 *       Accounts/Account with UserDisplayName and EmailAddresses (SMTPAddress and PrimarySmtpAddress).</li>
 *   <li>Oof/Get and Oof/Set: the user's Out of Office settings in an {@link OutOfOfficeStore} (a Sieve vacation
 *       script, or only stored); messages are answered as stored, whatever BodyType the Get asks for. A store
 *       that cannot answer gets Oof Status 4 (server unavailable), one that refuses the user's login 3 (access
 *       denied), a deployment that cannot send replies 7 (denied by policy: disabled).</li>
 *   <li>DevicePassword/Set (the recovery password): acknowledged with Status 1 and neither stored nor logged; the
 *       policy never enables password recovery.</li>
 *   <li>RightsManagementInformation/Get (14.1+): Status 1 and no templates, since the gateway has no IRM; before
 *       14.1 the part is unknown.</li>
 * </ul>
 * A body that is not Settings, or a child that is none of these, gets only the overall Status 2.
 */
public final class SettingsHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SettingsHandler.class);
    private static final Set<String> KNOWN = Set.of("DeviceInformation", "UserInformation", "Oof", "DevicePassword",
            "RightsManagementInformation");

    private final StateStore state;
    private final OutOfOfficeStore outOfOffice;

    public SettingsHandler(StateStore state, OutOfOfficeStore outOfOffice) {
        this.state = Objects.requireNonNull(state, "state");
        this.outOfOffice = Objects.requireNonNull(outOfOffice, "outOfOffice");
    }

    @Override
    public EasCommand command() {
        return EasCommand.SETTINGS;
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        if (body == null || !body.matches("Settings:Settings") || body.children().isEmpty()
                || !body.children().stream().allMatch(c -> known(c, request.version()))) {
            LOG.info("Settings status 2 for user={} device={}: not a Settings request of known parts",
                    request.user(), request.query().deviceId());
            return Mono.just(CommandResponse.ok(settings(2, List.of())));
        }
        return Flux.fromIterable(body.children())
                .concatMap(part -> switch (part.name()) {
                    case "DeviceInformation" -> deviceInformation(request, part);
                    case "UserInformation" -> userInformation(request, part);
                    case "Oof" -> oof(request, part);
                    case "DevicePassword" -> devicePassword(request, part);
                    default -> rightsManagement(request, part);
                })
                .collectList()
                .map(parts -> CommandResponse.ok(settings(1, parts)));
    }

    /** A part this version defines: RightsManagementInformation only from 14.1 (MS-ASCMD 2.2.3.156). */
    private static boolean known(WbxmlElement part, ProtocolVersion version) {
        return part.page() == CodePage.SETTINGS && KNOWN.contains(part.name())
                && (!part.name().equals("RightsManagementInformation") || version.atLeast(ProtocolVersion.V14_1));
    }

    /** MS-ASCMD 2.2.3.177.15: 3 access denied, 4 server unavailable, 7 denied by policy (disabled here). */
    private static int oofStatus(OutOfOfficeException e) {
        return switch (e.reason()) {
            case REFUSED -> 3;
            case UNAVAILABLE -> 4;
            case DISABLED -> 7;
        };
    }

    private static WbxmlElement settings(int status, List<WbxmlElement> parts) {
        return WbxmlElement.el(CodePage.SETTINGS, "Settings").child("Status", status).children(parts).build();
    }

    private static WbxmlElement.Builder part(String name, int status) {
        return WbxmlElement.el(CodePage.SETTINGS, name).child("Status", status);
    }

    private static Mono<WbxmlElement> refuse(CommandRequest request, String name, String reason) {
        LOG.info("Settings {} status 2 for user={} device={}: {}", name, request.user(), request.query().deviceId(),
                reason);
        return Mono.just(part(name, 2).build());
    }

    private Mono<WbxmlElement> deviceInformation(CommandRequest request, WbxmlElement part) {
        DeviceInformation info = DeviceInformation.from(part);
        if (info == null) {
            return refuse(request, "DeviceInformation", "no Set");
        }
        return state.device(request.deviceKey()).defaultIfEmpty(request.device())
                .flatMap(device -> state.putDevice(info.applyTo(device)))
                .thenReturn(part("DeviceInformation", 1).build());
    }

    private Mono<WbxmlElement> userInformation(CommandRequest request, WbxmlElement part) {
        if (part.child("Get") == null) {
            return refuse(request, "UserInformation", "no Get");
        }
        Account account = request.account();
        WbxmlElement.Builder answer = part("UserInformation", 1);
        if (request.version().atLeast(ProtocolVersion.V14_1)) {
            answer.child("Get", get -> get.child("Accounts", accounts -> accounts.child("Account", a -> a
                    .child("UserDisplayName", account.displayName())
                    .child("EmailAddresses", addresses -> addresses
                            .child("SMTPAddress", account.primaryAddress())
                            .child("PrimarySmtpAddress", account.primaryAddress())))));
        } else {
            answer.child("Get", get -> get.child("EmailAddresses",
                    addresses -> addresses.child("SMTPAddress", account.primaryAddress())));
        }
        return Mono.just(answer.build());
    }

    private Mono<WbxmlElement> oof(CommandRequest request, WbxmlElement part) {
        WbxmlElement set = part.child("Set");
        Account account = request.account();
        Mono<WbxmlElement> answer;
        if (part.child("Get") != null) {
            answer = outOfOffice.get(account).map(oof -> part("Oof", 1)
                    .child("Get", get -> get.children(OofElements.elements(oof))).build());
        } else if (set == null) {
            return refuse(request, "Oof", "neither Get nor Set");
        } else {
            answer = outOfOffice.get(account).flatMap(oof -> {
                OofSettings changed = OofElements.apply(oof, set);
                if (changed == null) {
                    return refuse(request, "Oof", "malformed Set");
                }
                return outOfOffice.set(account, changed).thenReturn(part("Oof", 1).build());
            });
        }
        // the store logged its one line (server and user); 2.2.3.177.15: 3 access denied, 4 server unavailable
        return answer.onErrorResume(OutOfOfficeException.class, e -> Mono.just(part("Oof", oofStatus(e)).build()));
    }

    private Mono<WbxmlElement> devicePassword(CommandRequest request, WbxmlElement part) {
        if (part.child("Set") == null) {
            return refuse(request, "DevicePassword", "no Set");
        }
        return Mono.just(part("DevicePassword", 1).build());
    }

    private Mono<WbxmlElement> rightsManagement(CommandRequest request, WbxmlElement part) {
        if (part.child("Get") == null) {
            return refuse(request, "RightsManagementInformation", "no Get");
        }
        return Mono.just(part("RightsManagementInformation", 1)
                .child("Get", get -> get.empty("RightsManagement:RightsManagementTemplates"))
                .build());
    }
}
