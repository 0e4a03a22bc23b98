package dev.easgate.core.connection;

import java.util.function.LongSupplier;

/**
 * At most {@code lines} log lines per {@code windowNanos}; what is left out is counted and told with the next line
 * let through, so an attack of thousands of connections costs a few lines, not thousands.
 */
final class LogBudget {
    private final int lines;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private long windowStart;
    private int used;
    private long skipped;

    LogBudget(int lines, long windowNanos, LongSupplier nanoTime) {
        this.lines = lines;
        this.windowNanos = windowNanos;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
    }

    /**
     * -1 when this line must be left out; otherwise how many were left out since the last line let through (0 or
     * more), to be told with this one.
     */
    synchronized long take() {
        long now = nanoTime.getAsLong();
        if (now - windowStart >= windowNanos) {
            windowStart = now;
            used = 0;
        }
        if (used >= lines) {
            skipped++;
            return -1;
        }
        used++;
        long told = skipped;
        skipped = 0;
        return told;
    }
}
