package dev.easgate.core.http;

import dev.easgate.core.command.CommandResponse;
import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

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
    /** The connection, when it may be taken out of Reactor Netty while the request is parked; else null. */
    private final Channel channel;
    private final ParkedConnections connections;
    private Runnable endings;
    private Mono<CommandResponse> later;
    private Context laterContext;
    private Reply reply;

    /**
     * @param channel     the request's connection, when it may be taken out of Reactor Netty while the request is
     *                    parked (cleartext HTTP/1.1 kept alive), else null
     * @param connections takes it out and gives it back
     */
    Exchange(Channel channel, ParkedConnections connections) {
        this.channel = channel;
        this.connections = connections;
    }

    /** Answers a parked request. */
    interface Reply {
        /** What to send for the parked answer, or what its failure calls for (one of the two is null); logs it. */
        CommandResponse resolve(CommandResponse answer, Throwable failure);

        /** Sends {@code response} through Reactor Netty (the connection was not taken out). */
        Mono<Void> send(CommandResponse response);

        /** The connection was taken out of Reactor Netty: {@link #send} will not be called; let go of its response. */
        void detached();

        /** A taken-out connection's answer was written with {@code status}, or it closed first (its status then). */
        void written(int status);
    }

    Channel channel() {
        return channel;
    }

    ParkedConnections connections() {
        return connections;
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
