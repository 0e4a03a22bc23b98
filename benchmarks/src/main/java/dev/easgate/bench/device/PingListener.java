package dev.easgate.bench.device;

import java.util.List;

/** What a device's Ping loop reports; called on Netty event-loop threads, so implementations must be quick. */
public interface PingListener {
    /** The Ping request was written to the server (it is now held there until a change or the heartbeat). */
    default void sent(SimulatedDevice device) {
    }

    /** Status 2: the listed folders changed; {@code atNanos} is {@link System#nanoTime()} at the answer. */
    void changed(SimulatedDevice device, List<String> folderIds, long atNanos);

    /** Status 1: the heartbeat expired (or the server answered a superseded/drained Ping). */
    default void expired(SimulatedDevice device) {
    }

    /** Any other answer, HTTP error, or I/O failure. */
    void failed(SimulatedDevice device, String reason);
}
