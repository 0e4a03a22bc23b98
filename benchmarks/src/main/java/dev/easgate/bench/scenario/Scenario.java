package dev.easgate.bench.scenario;

import java.util.Locale;

/** What a run measures. */
public enum Scenario {
    /** N devices park Pings and hold: devices parked, errors, the server's memory per parked device. */
    IDLE,
    /** With N parked, changes at a fixed rate; change-to-wake latency, misses and false wakes. */
    WAKE,
    /** N active devices receive new mail and Sync it at a fixed rate; requests/s and latency. */
    SYNC,
    /** All N parked devices drop their connections and re-Ping at once; time until all are parked again. */
    STORM;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the devices park Pings after their first sync. */
    public boolean parks() {
        return this != SYNC;
    }

    public static Scenario of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
