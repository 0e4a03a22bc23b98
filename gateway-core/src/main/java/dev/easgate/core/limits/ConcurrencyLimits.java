package dev.easgate.core.limits;

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
    /**
     * Open requests by user, each user's devices chained from one entry ({@link Open}): one map entry and one small
     * object per busy device, keyed by the request's own user string, no key built per request. A chain is changed
     * and read only inside the map's compute for its user.
     */
    private final ConcurrentHashMap<String, Open> users = new ConcurrentHashMap<>();

    /** A device's open requests, and the next device of the same user. */
    private static final class Open {
        final String deviceId;
        int count;
        Open next;

        Open(String deviceId, Open next) {
            this.deviceId = deviceId;
            this.next = next;
        }
    }

    public ConcurrencyLimits(int perDevice, int perUser) {
        this.perDevice = perDevice;
        this.perUser = perUser;
    }

    /** Takes a slot for the device and its user; null when admitted (call {@link #release} after), else why not. */
    public Refusal acquire(String user, String deviceId) {
        Refusal[] refusal = new Refusal[1];
        users.compute(user, (u, head) -> {
            Open device = null;
            int open = 0;
            for (Open o = head; o != null; o = o.next) {
                open += o.count;
                if (o.deviceId.equals(deviceId)) {
                    device = o;
                }
            }
            if (open >= perUser) {
                refusal[0] = Refusal.USER;
                return head;
            }
            if (device != null && device.count >= perDevice) {
                refusal[0] = Refusal.DEVICE;
                return head;
            }
            if (device == null) {
                if (perDevice <= 0) {
                    refusal[0] = Refusal.DEVICE;
                    return head;
                }
                head = device = new Open(deviceId, head);
            }
            device.count++;
            return head;
        });
        return refusal[0];
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
        users.computeIfPresent(user, (u, head) -> {
            Open previous = null;
            for (Open o = head; o != null; previous = o, o = o.next) {
                if (o.deviceId.equals(deviceId)) {
                    if (--o.count > 0) {
                        return head;
                    }
                    if (previous == null) {
                        return o.next;
                    }
                    previous.next = o.next;
                    return head;
                }
            }
            return head;
        });
    }

    /** Open requests of a user (for tests and the admin view). */
    public int open(String user) {
        int[] open = new int[1];
        users.computeIfPresent(user, (u, head) -> {
            for (Open o = head; o != null; o = o.next) {
                open[0] += o.count;
            }
            return head;
        });
        return open[0];
    }
}
