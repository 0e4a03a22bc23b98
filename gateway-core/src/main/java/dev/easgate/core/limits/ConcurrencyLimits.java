package dev.easgate.core.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests open at once per device and per user (parked Ping/Sync included: they hold a connection). A phone
 * normally holds one Ping and one Sync; the default limits (4 per device, 16 per user) leave room for retries and
 * a few devices while stopping one client from holding hundreds of connections.
 */
public final class ConcurrencyLimits {
    /** Which limit refused a request, or null when admitted. */
    public enum Refusal { DEVICE, USER }

    private final int perDevice;
    private final int perUser;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    public ConcurrencyLimits(int perDevice, int perUser) {
        this.perDevice = perDevice;
        this.perUser = perUser;
    }

    /** Takes a slot for the device and its user; null when admitted (call {@link #release} after), else why not. */
    public Refusal acquire(String user, String deviceId) {
        String userKey = "u\0" + user;
        String deviceKey = "d\0" + user + "\0" + deviceId;
        if (!increment(userKey, perUser)) {
            return Refusal.USER;
        }
        if (!increment(deviceKey, perDevice)) {
            decrement(userKey);
            return Refusal.DEVICE;
        }
        return null;
    }

    public void release(String user, String deviceId) {
        decrement("d\0" + user + "\0" + deviceId);
        decrement("u\0" + user);
    }

    private boolean increment(String key, int limit) {
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

    private void decrement(String key) {
        open.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
    }

    /** Open requests of a user (for tests and the admin view). */
    public int open(String user) {
        return open.getOrDefault("u\0" + user, 0);
    }
}
