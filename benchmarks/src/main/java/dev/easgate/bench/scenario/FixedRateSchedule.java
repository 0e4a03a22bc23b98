package dev.easgate.bench.scenario;

import java.util.concurrent.locks.LockSupport;

/**
 * Intended start times of a fixed-rate open loop: operation {@code i} is due at {@code start + i / rate}, whether
 * or not the generator keeps up. Latency is measured from that intended start, so a stall (of the server or of the
 * generator) counts against every operation it delayed: the correction for coordinated omission.
 */
public final class FixedRateSchedule {
    private final long startNanos;
    private final double periodNanos;
    private final long count;

    public FixedRateSchedule(long startNanos, double perSecond, long count) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive");
        }
        this.startNanos = startNanos;
        this.periodNanos = 1e9 / perSecond;
        this.count = count;
    }

    public long count() {
        return count;
    }

    public long intendedStartNanos(long i) {
        return startNanos + (long) (i * periodNanos);
    }

    /** Waits until operation {@code i} is due (returns at once when it is already late); returns its due time. */
    public long awaitDue(long i) {
        long due = intendedStartNanos(i);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
        return due;
    }
}
