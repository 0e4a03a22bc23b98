package dev.easgate.core.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.StateCodec;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * The device records this node saw last, bounded, least recently used out first, and forgotten when a device has
 * not been seen for {@link #IDLE}. Used only when the state store is unreachable, so that a known device's Ping can
 * still park during a Redis outage (its wake-up comes with the bus gap on reconnect); never as a substitute for
 * fresh state otherwise.
 *
 * <p>Every device a node serves has an entry, so an entry is kept small: the record in the state store's own
 * encoding ({@link StateCodec}, about a hundred bytes) under a 64-bit hash of its key, not the record's objects (the
 * key, seven strings, three instants: some 500 bytes). The hash is seeded per node, so nobody can choose device ids
 * that collide; a record read back is served only when its key is the one asked for.
 */
final class DeviceRecordCache {
    /** Longer than the longest heartbeat (MS-ASCMD 2.2.3.79.1: 3,540 s): a Pinging device is never forgotten. */
    static final Duration IDLE = Duration.ofHours(2);
    private static final long MULTIPLIER = 0x9E3779B97F4A7C15L;

    private final Cache<Long, byte[]> records;
    private final long seed = new SecureRandom().nextLong();

    DeviceRecordCache(int capacity) {
        this.records = Caffeine.newBuilder().maximumSize(capacity).expireAfterAccess(IDLE).build();
    }

    void put(DeviceRecord record) {
        records.put(hash(record.key()), StateCodec.device(record));
    }

    /** The last record of the device, or null. */
    DeviceRecord get(DeviceKey key) {
        byte[] encoded = records.getIfPresent(hash(key));
        if (encoded == null) {
            return null;
        }
        DeviceRecord record = StateCodec.device(encoded);
        return record.key().equals(key) ? record : null;
    }

    /** Runs the cache's pending evictions now (tests). */
    void cleanUp() {
        records.cleanUp();
    }

    private long hash(DeviceKey key) {
        long h = mix(seed, key.user());
        h = (h ^ 0x10000) * MULTIPLIER; // a separator no char is: ("ab", "c") and ("a", "bc") differ
        return mix(h, key.deviceId());
    }

    private static long mix(long h, String text) {
        for (int i = 0; i < text.length(); i++) {
            h = (h ^ text.charAt(i)) * MULTIPLIER;
            h ^= h >>> 29;
        }
        return h;
    }
}
