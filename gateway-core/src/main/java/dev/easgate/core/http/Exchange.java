package dev.easgate.core.http;

import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/**
 * One EAS request from its admission to its answer. What must last until the answer is sent (the device's and
 * user's concurrency slots, the in-flight count) is released by {@link #end()}, once, however the request ends.
 *
 * <p>A parked request leaves its answer here ({@link #later}): the request's own pipeline (authentication, device
 * record, body, handler) then completes at park time and is collected, and only the answer waits. What a parked
 * device costs is that answer's few operators, not the whole request's.
 */
final class Exchange {
    private final AtomicBoolean ended = new AtomicBoolean();
    private Runnable endings;
    private Mono<Void> later;

    /** Runs {@code action} when the request ends (answered, failed or cancelled). */
    synchronized void onEnd(Runnable action) {
        Runnable before = endings;
        endings = before == null ? action : () -> {
            before.run();
            action.run();
        };
    }

    /** The answer of a parked request: subscribed to after the request's pipeline has completed. */
    synchronized void later(Mono<Void> answer) {
        if (later != null) {
            throw new IllegalStateException("a request has one parked answer");
        }
        later = answer;
    }

    /** The parked answer, handed over once (empty when the request was answered directly). */
    synchronized Mono<Void> takeLater() {
        Mono<Void> answer = later;
        later = null;
        return answer == null ? Mono.empty() : answer;
    }

    void end() {
        if (ended.compareAndSet(false, true)) {
            Runnable actions;
            synchronized (this) {
                actions = endings;
                endings = null;
                later = null;
            }
            if (actions != null) {
                actions.run();
            }
        }
    }
}
