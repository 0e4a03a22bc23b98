package dev.easgate.core.heartbeat;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The one timer of every parked request's heartbeat in this process: a hashed wheel (one thread, one small entry
 * per park, ticking every 100 ms) instead of a scheduled task and its Reactor operators per park. A heartbeat ends
 * up to one tick late, which a phone waiting minutes does not notice.
 */
final class HeartbeatWheel {
    private HeartbeatWheel() {
    }

    private static final class Holder {
        // 512 buckets of 100 ms: a round of 51.2 s; longer heartbeats wait for their round in their bucket
        static final Timer WHEEL = new HashedWheelTimer(runnable -> {
            Thread thread = new Thread(runnable, "easgate-heartbeats");
            thread.setDaemon(true);
            return thread;
        }, 100, TimeUnit.MILLISECONDS, 512, false);
    }

    /** The process's wheel, started on first use and never stopped (its thread is a daemon). */
    static Timer shared() {
        return Holder.WHEEL;
    }
}
