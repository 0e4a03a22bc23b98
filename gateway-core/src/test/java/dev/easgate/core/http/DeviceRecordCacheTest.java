package dev.easgate.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeviceRecordCacheTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void givesBackTheRecordOfTheKeyAskedForAndNothingForAnother() {
        DeviceRecordCache cache = new DeviceRecordCache(100);
        DeviceRecord record = DeviceRecord.first(new DeviceKey("alice", "PHONE1"), "iPhone", "Apple-iPhone/1",
                "16.1", NOW).withPolicyKeys(42, 0).withLastPing(NOW.plusSeconds(5));
        cache.put(record);

        assertThat(cache.get(new DeviceKey("alice", "PHONE1"))).isEqualTo(record);
        assertThat(cache.get(new DeviceKey("alice", "PHONE2"))).isNull();
        // the user and device id are kept apart: the same characters split otherwise are another device
        assertThat(cache.get(new DeviceKey("aliceP", "HONE1"))).isNull();
        assertThat(cache.get(new DeviceKey("bob", "PHONE1"))).isNull();
    }

    @Test
    void aNewerRecordOfTheSameDeviceReplacesTheOlder() {
        DeviceRecordCache cache = new DeviceRecordCache(100);
        DeviceKey key = new DeviceKey("alice", "PHONE1");
        DeviceRecord first = DeviceRecord.first(key, "iPhone", "Apple-iPhone/1", "16.1", NOW);
        cache.put(first);
        cache.put(first.withLastSync(NOW.plusSeconds(60)));

        assertThat(cache.get(key).lastSync()).isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void keepsNoMoreThanItsCapacity() {
        DeviceRecordCache cache = new DeviceRecordCache(100);
        for (int i = 0; i < 1000; i++) {
            cache.put(DeviceRecord.first(new DeviceKey("user" + i, "PHONE"), "iPhone", "agent", "16.1", NOW));
        }
        cache.cleanUp();

        int kept = 0;
        for (int i = 0; i < 1000; i++) {
            kept += cache.get(new DeviceKey("user" + i, "PHONE")) == null ? 0 : 1;
        }
        assertThat(kept).isBetween(1, 100);
    }
}
