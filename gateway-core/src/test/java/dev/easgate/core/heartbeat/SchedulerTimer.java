package dev.easgate.core.heartbeat;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * A heartbeat timer on Reactor's parallel scheduler, looked up at each use: under {@code StepVerifier.withVirtualTime}
 * that is the virtual clock, so tests can expire heartbeats without waiting.
 */
final class SchedulerTimer implements Timer {
    @Override
    public Timeout newTimeout(TimerTask task, long delay, TimeUnit unit) {
        return new Timeout() {
            private final Disposable scheduled = Schedulers.parallel().schedule(() -> {
                try {
                    task.run(this);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, delay, unit);

            @Override
            public Timer timer() {
                return SchedulerTimer.this;
            }

            @Override
            public TimerTask task() {
                return task;
            }

            @Override
            public boolean isExpired() {
                return scheduled.isDisposed();
            }

            @Override
            public boolean isCancelled() {
                return scheduled.isDisposed();
            }

            @Override
            public boolean cancel() {
                scheduled.dispose();
                return true;
            }
        };
    }

    @Override
    public Set<Timeout> stop() {
        return Set.of();
    }
}
