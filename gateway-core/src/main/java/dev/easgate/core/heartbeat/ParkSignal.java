package dev.easgate.core.heartbeat;

/**
 * Tells whoever serves a request that it is now parked (holding no worker, only a subscription) and when it stops
 * being parked: the HTTP front uses it to leave parked requests out of its in-flight limit. Put an instance into the
 * Reactor context under {@code ParkSignal.class}; {@link HeartbeatHub#park} finds it there.
 */
public interface ParkSignal {
    ParkSignal NONE = new ParkSignal() {
        @Override
        public void parked() {
        }

        @Override
        public void unparked() {
        }
    };

    void parked();

    void unparked();
}
