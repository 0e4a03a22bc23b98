package dev.easgate.core.heartbeat;

/**
 * Told once how a request parked with {@link HeartbeatHub#hold} ended; never told when the park was cancelled.
 * Called on the thread that ended it (the bus's, the heartbeat timer's, a newer request's): must not block.
 */
public interface ParkListener {
    /** The park ended with {@code outcome}; it is no longer parked. */
    void ended(ParkOutcome outcome);

    /** Parking failed (the bus registration or the store check failed); it is no longer parked. */
    void failed(Throwable error);
}
