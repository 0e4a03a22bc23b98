package dev.easgate.core.command.ping;

import java.time.Duration;
import java.util.Objects;

/**
 * The heartbeat intervals the gateway accepts (configured heartbeat.min and heartbeat.max). Ping answers a value
 * outside them with Status 5 and the nearest bound (MS-ASCMD 2.2.3.88.1); Sync answers its HeartbeatInterval or
 * Wait outside them with Status 14 and Limit (2.2.3.88.2, 2.2.3.198).
 *
 * @param min the shortest accepted interval
 * @param max the longest accepted interval
 */
public record HeartbeatBounds(Duration min, Duration max) {
    public HeartbeatBounds {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.isNegative() || min.compareTo(max) > 0) {
            throw new IllegalArgumentException("heartbeat bounds " + min + ".." + max);
        }
    }

    /** The outcome of a check: accepted, or the bound to answer. */
    public record Verdict(boolean accepted, Duration limit) {
    }

    /** Checks an interval in seconds (Ping and Sync HeartbeatInterval). */
    public Verdict checkSeconds(long seconds) {
        return check(Duration.ofSeconds(seconds));
    }

    /** Checks an interval in minutes (Sync Wait). */
    public Verdict checkMinutes(long minutes) {
        return check(Duration.ofMinutes(minutes));
    }

    public Verdict check(Duration interval) {
        if (interval.compareTo(min) < 0) {
            return new Verdict(false, min);
        }
        if (interval.compareTo(max) > 0) {
            return new Verdict(false, max);
        }
        return new Verdict(true, interval);
    }
}
