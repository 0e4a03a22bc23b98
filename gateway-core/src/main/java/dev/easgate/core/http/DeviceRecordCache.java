package dev.easgate.core.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.StateCodec;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

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
    private static final int HASH_BYTES = 4;

    private final Cache<Long, byte[]> records;
    private final long seed = new SecureRandom().nextLong();

    DeviceRecordCache(int capacity) {
        this.records = Caffeine.newBuilder().maximumSize(capacity).expireAfterAccess(IDLE).build();
    }

    /**
     * Keeps {@code record} as the device's last. Every request of the device passes here and its record rarely
     * changes: an entry starts with the record's hash code, and one that matches is kept without encoding the record
     * again (a changed record with the same 32-bit hash, one chance in four billion, leaves the older copy for an
     * outage's fallback).
     */
    void put(DeviceRecord record) {
        long key = hash(record.key());
        int recordHash = record.hashCode();
        byte[] kept = records.getIfPresent(key);
        if (kept != null && hashOf(kept) == recordHash) {
            return;
        }
        byte[] encoded = StateCodec.device(record);
        byte[] entry = new byte[HASH_BYTES + encoded.length];
        for (int i = 0; i < HASH_BYTES; i++) {
            entry[i] = (byte) (recordHash >>> (24 - 8 * i));
        }
        System.arraycopy(encoded, 0, entry, HASH_BYTES, encoded.length);
        records.put(key, entry);
    }

    /** The last record of the device, or null. */
    DeviceRecord get(DeviceKey key) {
        byte[] entry = records.getIfPresent(hash(key));
        if (entry == null) {
            return null;
        }
        DeviceRecord record = StateCodec.device(Arrays.copyOfRange(entry, HASH_BYTES, entry.length));
        return record.key().equals(key) ? record : null;
    }

    private static int hashOf(byte[] entry) {
        int h = 0;
        for (int i = 0; i < HASH_BYTES; i++) {
            h = (h << 8) | (entry[i] & 0xFF);
        }
        return h;
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
