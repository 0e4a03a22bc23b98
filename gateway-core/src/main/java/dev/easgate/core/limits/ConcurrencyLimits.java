package dev.easgate.core.limits;

import dev.easgate.backends.state.DeviceKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * Requests open at once per device and per user (parked Ping/Sync included: they hold a connection). A phone
 * normally holds one Ping and one Sync; the default limits (4 per device, 16 per user) leave room for retries and
 * a few devices while stopping one client from holding hundreds of connections.
 */
public final class ConcurrencyLimits {
    /** Which limit refused a request, or null when admitted. */
    public enum Refusal { DEVICE, USER }

    /** How long {@link #admit} waits for a slot that is about to come back, in steps of {@link #GRACE_STEP}. */
    static final Duration GRACE = Duration.ofMillis(200);
    static final Duration GRACE_STEP = Duration.ofMillis(20);

    private final int perDevice;
    private final int perUser;
    /** Open requests by user, and by device: keyed by the request's own strings, no key built per request. */
    private final ConcurrentHashMap<String, Integer> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<DeviceKey, Integer> devices = new ConcurrentHashMap<>();

    public ConcurrencyLimits(int perDevice, int perUser) {
        this.perDevice = perDevice;
        this.perUser = perUser;
    }

    /** Takes a slot for the device and its user; null when admitted (call {@link #release} after), else why not. */
    public Refusal acquire(String user, String deviceId) {
        if (!increment(users, user, perUser)) {
            return Refusal.USER;
        }
        if (!increment(devices, new DeviceKey(user, deviceId), perDevice)) {
            decrement(users, user);
            return Refusal.DEVICE;
        }
        return null;
    }

    /**
     * Takes a slot like {@link #acquire}, but waits up to {@link #GRACE} for one before refusing: a phone sends its
     * next request as soon as it has read an answer, and that answer's slot is given back only once the answer is
     * flushed, so without the wait a device's back-to-back requests would now and then get 503. Emits the refusal,
     * empty when admitted.
     */
    public Mono<Optional<Refusal>> admit(String user, String deviceId) {
        return admit(user, deviceId, GRACE.toMillis() / GRACE_STEP.toMillis());
    }

    private Mono<Optional<Refusal>> admit(String user, String deviceId, long retries) {
        Refusal refusal = acquire(user, deviceId);
        if (refusal == null || retries <= 0) {
            return Mono.just(Optional.ofNullable(refusal));
        }
        return Mono.delay(GRACE_STEP).then(Mono.defer(() -> admit(user, deviceId, retries - 1)));
    }

    public void release(String user, String deviceId) {
        decrement(devices, new DeviceKey(user, deviceId));
        decrement(users, user);
    }

    private static <K> boolean increment(ConcurrentHashMap<K, Integer> open, K key, int limit) {
        boolean[] admitted = new boolean[1];
        open.compute(key, (k, count) -> {
            int c = count == null ? 0 : count;
            if (c >= limit) {
                return count;
            }
            admitted[0] = true;
            return c + 1;
        });
        return admitted[0];
    }

    private static <K> void decrement(ConcurrentHashMap<K, Integer> open, K key) {
        open.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
    }

    /** Open requests of a user (for tests and the admin view). */
    public int open(String user) {
        return users.getOrDefault(user, 0);
    }
}
