package dev.easgate.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The intended-start correction: a stall counts against every operation it delayed, not just the stalled one. */
class FixedRateScheduleTest {

    @Test
    void intendedStartsFollowTheRateWhateverHappens() {
        FixedRateSchedule schedule = new FixedRateSchedule(1_000_000_000L, 1000, 10);
        assertThat(schedule.intendedStartNanos(0)).isEqualTo(1_000_000_000L);
        assertThat(schedule.intendedStartNanos(7)).isEqualTo(1_007_000_000L);
        assertThat(schedule.count()).isEqualTo(10);
    }

    @Test
    void aStallIsChargedToEveryDelayedOperation() {
        // 1000 operations at 1000/s issued one after the other; each takes 0.5 ms except one that takes 100 ms
        FixedRateSchedule schedule = new FixedRateSchedule(0, 1000, 1000);
        LatencyRecorder latency = new LatencyRecorder();
        long free = 0;
        for (long i = 0; i < schedule.count(); i++) {
            long due = schedule.intendedStartNanos(i);
            long issued = Math.max(due, free); // the generator cannot issue before the previous one finished
            long service = i == 100 ? 100_000_000L : 500_000L;
            long end = issued + service;
            latency.record(due, issued, end);
            free = end;
        }
        // uncorrected: one slow operation in a thousand; p99 looks perfect
        assertThat(latency.uncorrected().getValueAtPercentile(99)).isLessThan(600);
        assertThat(latency.uncorrected().getCountBetweenValues(10_000, 200_000)).isEqualTo(1);
        assertThat(latency.uncorrected().getMaxValue()).isBetween(99_000L, 101_000L);
        // corrected: the operations due during the stall and the catch-up waited too (op k > 100 ends at
        // 200 + 0.5 (k - 100) ms, so its latency is 150 - k/2 ms): 180 of them above 10 ms, and p99 shows it
        assertThat(latency.corrected().getValueAtPercentile(99)).isGreaterThan(10_000);
        assertThat(latency.corrected().getCountBetweenValues(10_000, 200_000)).isBetween(175L, 185L);
        assertThat(latency.corrected().getMaxValue()).isBetween(99_000L, 101_000L);
    }

    @Test
    void histogramsSurviveTheWorkerResultEncoding() {
        LatencyRecorder latency = new LatencyRecorder();
        for (int i = 1; i <= 1000; i++) {
            latency.record(0, 0, i * 1000L);
        }
        var decoded = Worker.decode(Worker.encode(latency.corrected()));
        assertThat(decoded.getTotalCount()).isEqualTo(1000);
        assertThat(decoded.getValueAtPercentile(50)).isEqualTo(latency.corrected().getValueAtPercentile(50));
    }
}
