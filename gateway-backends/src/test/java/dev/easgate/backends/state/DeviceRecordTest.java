package dev.easgate.backends.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeviceRecordTest {
    private static final Instant KEPT = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void activityIsWrittenOnceAMinute() {
        assertThat(DeviceRecord.activityWorthWriting(null, KEPT)).isTrue();
        assertThat(DeviceRecord.activityWorthWriting(KEPT, KEPT.plusSeconds(59))).isFalse();
        assertThat(DeviceRecord.activityWorthWriting(KEPT, KEPT.plusSeconds(60))).isTrue();
        // a clock set back is written, so the kept time never stays in the future
        assertThat(DeviceRecord.activityWorthWriting(KEPT, KEPT.minusSeconds(1))).isTrue();
    }
}
