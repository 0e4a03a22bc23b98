package dev.easgate.bench.scenario;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Two histograms of one latency, in microseconds: {@link #corrected()} from the intended start (the figure to
 * report) and {@link #uncorrected()} from the moment the operation was really issued (what a naive closed-loop
 * tool would show). Safe for concurrent recording.
 */
public final class LatencyRecorder {
    /** One hour in microseconds: anything longer is clamped (and is a failure anyway). */
    public static final long HIGHEST_MICROS = 3_600_000_000L;

    private final ConcurrentHistogram corrected = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final ConcurrentHistogram uncorrected = new ConcurrentHistogram(HIGHEST_MICROS, 3);

    public void record(long intendedStartNanos, long issuedNanos, long endNanos) {
        corrected.recordValue(micros(endNanos - intendedStartNanos));
        uncorrected.recordValue(micros(endNanos - issuedNanos));
    }

    private static long micros(long nanos) {
        return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000));
    }

    /** Forgets what was recorded (the end of a warm-up). */
    public void reset() {
        corrected.reset();
        uncorrected.reset();
    }

    public Histogram corrected() {
        return corrected;
    }

    public Histogram uncorrected() {
        return uncorrected;
    }
}
