package dev.easgate.core.http;

import dev.easgate.core.command.CommandResponse;
import io.netty.channel.Channel;
import dev.easgate.core.limits.ConcurrencyLimits;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
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
    private static final AtomicIntegerFieldUpdater<Exchange> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(Exchange.class, "ended");

    /** The connection, when it may be taken out of Reactor Netty while the request is parked; else null. */
    private final Channel channel;
    private final ParkedConnections connections;
    /** The node's in-flight count, given back at the end. */
    private final AtomicInteger inFlight;
    private volatile int ended;
    /** The device's and user's slots, when held ({@link #holdSlots}): given back at the end. */
    private ConcurrencyLimits slots;
    private String user;
    private String deviceId;
    private Mono<CommandResponse> later;
    private Context laterContext;
    private Reply reply;

    /**
     * @param channel     the request's connection, when it may be taken out of Reactor Netty while the request is
     *                    parked (cleartext HTTP/1.1 kept alive), else null
     * @param connections takes it out and gives it back
     * @param inFlight    the node's in-flight count, which counts this request until it ends
     */
    Exchange(Channel channel, ParkedConnections connections, AtomicInteger inFlight) {
        this.channel = channel;
        this.connections = connections;
        this.inFlight = inFlight;
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

    /**
     * The device's and user's slots taken from {@code limits} are held until the request ends (a parked one's too:
     * two strings and the limits, not the account and the query).
     */
    void holdSlots(ConcurrencyLimits limits, String user, String deviceId) {
        synchronized (this) {
            this.slots = limits;
            this.user = user;
            this.deviceId = deviceId;
        }
        if (ended != 0) {
            // ended (cancelled) while the slots were being taken: given back now
            release();
        }
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

    /** The parked answer's context, handed over once with it. */
    synchronized Context takeLaterContext() {
        Context context = laterContext;
        laterContext = null;
        return context;
    }

    /** The parked answer's reply, handed over once with it. */
    synchronized Reply takeReply() {
        Reply answer = reply;
        reply = null;
        return answer;
    }

    void end() {
        if (ENDED.compareAndSet(this, 0, 1)) {
            synchronized (this) {
                later = null;
                laterContext = null;
                reply = null;
            }
            inFlight.decrementAndGet();
            release();
        }
    }

    private void release() {
        ConcurrencyLimits held;
        synchronized (this) {
            held = slots;
            slots = null;
        }
        if (held != null) {
            held.release(user, deviceId);
        }
    }
}
