package dev.easgate.core.http;

import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import dev.easgate.core.command.CommandResponse;

/**
 * One EAS request from its admission to its answer. What must last until the answer is sent (the device's and
 * user's concurrency slots, the in-flight count) is released by {@link #end()}, once, however the request ends.
 *
 * <p>A parked request leaves its answer here ({@link #later}): the request's own pipeline (authentication, device
 * record, body, handler) then completes at park time and is collected, and only the answer waits
 * ({@link ExchangeMono}). What a parked device costs is that answer and the few fields it is sent with, not the
 * whole request's.
 */
final class Exchange {
    private final AtomicBoolean ended = new AtomicBoolean();
    private Runnable endings;
    private Mono<CommandResponse> later;
    private Context laterContext;
    private Reply reply;

    /** Sends the answer of a parked request, or what its failure calls for (one of the two is null). */
    interface Reply {
        Mono<Void> send(CommandResponse answer, Throwable failure);
    }

    /** Runs {@code action} when the request ends (answered, failed or cancelled). */
    synchronized void onEnd(Runnable action) {
        Runnable before = endings;
        endings = before == null ? action : () -> {
            before.run();
            action.run();
        };
    }

    /**
     * The answer of a parked request, subscribed to with {@code context} after the request's pipeline has
     * completed; {@code reply} sends what it gives.
     */
    synchronized void later(Mono<CommandResponse> answer, Context context, Reply reply) {
        if (later != null) {
            throw new IllegalStateException("a request has one parked answer");
        }
        later = answer;
        laterContext = context;
        this.reply = reply;
    }

    /** The parked answer, handed over once (null when the request was answered directly). */
    synchronized Mono<CommandResponse> takeLater() {
        Mono<CommandResponse> answer = later;
        later = null;
        return answer;
    }

    synchronized Context laterContext() {
        return laterContext;
    }

    synchronized Reply reply() {
        return reply;
    }

    void end() {
        if (ended.compareAndSet(false, true)) {
            Runnable actions;
            synchronized (this) {
                actions = endings;
                endings = null;
                later = null;
                laterContext = null;
                reply = null;
            }
            if (actions != null) {
                actions.run();
            }
        }
    }
}
