package dev.easgate.core.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.easgate.backends.directory.Memberships;
import dev.easgate.backends.directory.Memberships.Facts;
import dev.easgate.backends.logging.LogText;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.http.FrontGuards;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Which policy set a user gets, and whether a device still holds it. Precedence: an administrator's assignment
 * (a value of the user in the state store, so every node sees it and it outlives restarts), else the directory (the
 * value of {@code policy.ldap.attribute}, else the first set in {@code policy.sets} order whose
 * {@code policy.ldap.group.<name>} the user is a member of), else the global policy.
 *
 * <p>The check before every command ({@link #current}) costs one state read (the assignment) when sets are
 * configured, nothing otherwise: the directory's answer is kept per node for {@code policy.ldap.refresh-seconds} and
 * the policy a device acknowledged is kept per device and key. When the kept answer says the device's policy is no
 * longer the user's, the directory is asked afresh before the device is sent back to Provision, so nodes holding
 * answers of different ages cannot send a device round in circles. A directory that does not answer never sends a
 * device back: its current policy stands until the directory answers again.
 */
public final class PolicyResolver implements FrontGuards.CurrentPolicy {
    /** The user value holding the set an administrator assigned. */
    static final String ASSIGNMENT = "policy.assignment";
    private static final Logger LOG = LoggerFactory.getLogger(PolicyResolver.class);

    /**
     * The set a user gets and why.
     *
     * @param set     the set
     * @param source  "admin", "ldap-attribute", "ldap-group &lt;DN&gt;" or "global"
     * @param certain false when the directory did not answer (the set is then the global one)
     */
    public record Resolution(PolicySet set, String source, boolean certain) {
    }

    private final PolicySets sets;
    private final StateStore state;
    private final Memberships directory;
    private final String attribute;
    private final Cache<String, Facts> facts;
    /** Kept only with policy sets (without them no check reads it), and only for devices seen lately. */
    private final Cache<DeviceKey, DevicePolicy> acknowledged;
    /** Every set's fingerprint, one string each, shared by the devices' kept policies. */
    private final Map<String, String> fingerprints;

    /**
     * @param directory the user's groups and attribute, or null when no LDAP mapping is configured
     * @param attribute the attribute naming a set ({@code policy.ldap.attribute}), or ""
     * @param refresh   how long a directory answer is kept
     */
    public PolicyResolver(PolicySets sets, StateStore state, Memberships directory, String attribute,
                          Duration refresh) {
        this.sets = Objects.requireNonNull(sets, "sets");
        this.state = Objects.requireNonNull(state, "state");
        this.directory = directory;
        this.attribute = attribute == null ? "" : attribute;
        this.facts = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(refresh).build();
        // longer than the longest heartbeat (3,540 s): a Pinging device keeps its entry
        this.acknowledged = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofHours(2))
                .build();
        this.fingerprints = sets.all().stream().map(PolicySet::fingerprint)
                .collect(Collectors.toUnmodifiableMap(Function.identity(), Function.identity(), (a, b) -> a));
    }

    /** Only the global policy: what a gateway without policy sets runs. */
    public static PolicyResolver global(PolicyDocument document, StateStore state) {
        return new PolicyResolver(PolicySets.only(document), state, null, "", Duration.ofMinutes(5));
    }

    public PolicySets sets() {
        return sets;
    }

    /** The set {@code user} gets; {@code fresh} asks the directory even when a recent answer is kept. */
    public Mono<Resolution> resolve(String user, boolean fresh) {
        if (!sets.enabled()) {
            return Mono.just(new Resolution(sets.global(), "global", true));
        }
        return assigned(user)
                .map(set -> new Resolution(set, "admin", true))
                .switchIfEmpty(Mono.defer(() -> fromDirectory(user, fresh)));
    }

    /** The set an administrator assigned to {@code user} and that still exists; empty when none. */
    public Mono<PolicySet> assigned(String user) {
        return state.userValue(user, ASSIGNMENT).mapNotNull(bytes -> {
            String name = new String(bytes, StandardCharsets.UTF_8);
            PolicySet set = sets.get(name);
            if (set == null) {
                LOG.warn("user={} is assigned policy set '{}', which policy.sets no longer declares: ignored",
                        LogText.escape(user), LogText.escape(name));
            }
            return set;
        });
    }

    /** Assigns a set to a user (the admin API); the user's devices provision again at their next command. */
    public Mono<Void> assign(String user, PolicySet set) {
        return state.putUserValue(user, ASSIGNMENT, set.name().getBytes(StandardCharsets.UTF_8));
    }

    /** Removes a user's assignment: the directory or the global policy decides again. */
    public Mono<Void> unassign(String user) {
        return state.removeUserValue(user, ASSIGNMENT);
    }

    private Mono<Resolution> fromDirectory(String user, boolean fresh) {
        if (directory == null) {
            return Mono.just(new Resolution(sets.global(), "global", true));
        }
        Facts kept = fresh ? null : facts.getIfPresent(user);
        Mono<Facts> lookup = kept != null ? Mono.just(kept) : directory.lookup(user)
                .doOnNext(found -> facts.put(user, found));
        return lookup.map(this::choose)
                .onErrorResume(e -> {
                    LOG.warn("policy: the directory did not answer for user={}: {}", LogText.escape(user),
                            e.toString());
                    return Mono.just(new Resolution(sets.global(), "global", false));
                });
    }

    private Resolution choose(Facts found) {
        for (String value : found.attribute()) {
            PolicySet set = sets.named().get(value);
            if (set != null) {
                return new Resolution(set, "ldap-attribute " + attribute, true);
            }
        }
        for (var group : sets.groups().entrySet()) {
            if (found.groups().contains(group.getValue())) {
                return new Resolution(sets.named().get(group.getKey()), "ldap-group " + group.getValue(), true);
            }
        }
        return new Resolution(sets.global(), "global", true);
    }

    /** The policy the device acknowledged under its current key, or null (none recorded: provisioned before sets). */
    public Mono<DevicePolicy> acknowledged(DeviceRecord device) {
        DevicePolicy kept = acknowledged.getIfPresent(device.key());
        if (kept != null && kept.key() == device.policyKey()) {
            return Mono.just(kept);
        }
        return state.value(device.key(), DevicePolicy.ACKNOWLEDGED).mapNotNull(DevicePolicy::decode)
                .filter(stored -> stored.key() == device.policyKey())
                .doOnNext(stored -> remember(device.key(), stored));
    }

    /** Records the policy a device acknowledged under its final key (Provision, before the key is stored). */
    public Mono<Void> recordAcknowledged(DeviceKey key, DevicePolicy policy) {
        return state.putValue(key, DevicePolicy.ACKNOWLEDGED, policy.encode())
                .then(Mono.fromRunnable(() -> remember(key, policy)));
    }

    private void remember(DeviceKey key, DevicePolicy policy) {
        if (sets.enabled()) {
            String shared = fingerprints.get(policy.fingerprint());
            acknowledged.put(key, shared == null ? policy : new DevicePolicy(policy.key(), shared));
        }
    }

    /**
     * Whether the provisioned device still holds the user's policy. A device provisioned before any set existed
     * (no record) is taken to hold the global policy.
     */
    @Override
    public Mono<Boolean> current(DeviceRecord device) {
        if (!sets.enabled() || device.policyKey() == 0) {
            return Mono.just(true);
        }
        String user = device.key().user();
        return acknowledged(device)
                .map(DevicePolicy::fingerprint)
                .defaultIfEmpty(sets.global().fingerprint())
                .flatMap(held -> resolve(user, false).flatMap(kept -> {
                    if (kept.set().fingerprint().equals(held)) {
                        return Mono.just(true);
                    }
                    return resolve(user, true).map(fresh -> {
                        boolean same = !fresh.certain() || fresh.set().fingerprint().equals(held);
                        if (!same) {
                            LOG.info("policy of user={} device={} changed from {} to {} ({}): provisioning again",
                                    LogText.escape(user), LogText.escape(device.key().deviceId()),
                                    PolicySet.nameOf(held), fresh.set().name(), fresh.source());
                        }
                        return same;
                    });
                }));
    }
}
