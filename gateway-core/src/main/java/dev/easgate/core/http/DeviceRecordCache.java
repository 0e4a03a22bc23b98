package dev.easgate.core.http;

import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The device records this node saw last, bounded, least recently used out first. Used only when the state store
 * is unreachable, so that a known device's Ping can still park during a Redis outage (its wake-up comes with the
 * bus gap on reconnect); never as a substitute for fresh state otherwise.
 */
final class DeviceRecordCache {
    private final Map<DeviceKey, DeviceRecord> records;

    DeviceRecordCache(int capacity) {
        this.records = new LinkedHashMap<>(1024, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<DeviceKey, DeviceRecord> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void put(DeviceRecord record) {
        records.put(record.key(), record);
    }

    synchronized DeviceRecord get(DeviceKey key) {
        return records.get(key);
    }
}
