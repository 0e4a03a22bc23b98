package dev.easgate.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.netty.NettyPipeline;

/**
 * Takes a parked request's connection out of Reactor Netty's HTTP handling while it waits, and gives it back once
 * its answer is written. Parked, a cleartext HTTP/1.1 connection keeps only its channel and one handler (the
 * request's {@link ExchangeMono}): the HTTP codec with its buffers, Reactor Netty's traffic handler and request
 * object (URI, headers, cookies, connection info), the timers' handlers and their contexts are let go. The answer is
 * written as raw HTTP/1.1 bytes ({@link RawResponse}); the connection is then set up again by the server's own
 * initializer, exactly as when it was accepted, so it stays open for the phone's next request.
 *
 * <p>A TLS connection is not taken out (setting it up again would add a second TLS handler): it waits inside
 * Reactor Netty as before.
 */
final class ParkedConnections {
    /** Reactor Netty's channel attribute for the connection's current operations (ReactorNetty.CONNECTION). */
    private static final AttributeKey<Object> OPERATIONS = AttributeKey.valueOf("$CONNECTION");
    static final String PARKED = "easgate.parked";
    /**
     * Reactor Netty's handlers of a cleartext HTTP/1.1 connection that its initializer sets up again as they were
     * (besides this front's own, named "easgate.*"); a connection with any other is not taken out.
     */
    private static final Set<String> KNOWN = Set.of(NettyPipeline.HttpCodec, NettyPipeline.HttpTrafficHandler,
            NettyPipeline.ReactiveBridge, NettyPipeline.AccessLogHandler);

    /** The server's initializer of its accepted connections (Reactor Netty's), captured from the first one. */
    private volatile ChannelInitializer<?> initializer;
    /** Connections taken out now. */
    private final AtomicInteger detached = new AtomicInteger();

    /** Connections taken out of Reactor Netty now. */
    int detached() {
        return detached.get();
    }

    /**
     * Called while a new connection is set up (the server's {@code doOnChannelInit}): remembers the initializer that
     * is setting it up, to set detached connections up again later.
     */
    void capture(Channel channel) {
        if (initializer != null) {
            return;
        }
        for (Map.Entry<String, ChannelHandler> entry : channel.pipeline()) {
            if (entry.getValue() instanceof ChannelInitializer<?> init && init.isSharable()) {
                initializer = init;
                return;
            }
        }
    }

    /**
     * On the channel's event loop: replaces every handler of a cleartext HTTP/1.1 connection with {@code parked} and
     * unbinds Reactor Netty's request from the channel. False (nothing changed) when the connection cannot be taken
     * out: closed, TLS, or not the pipeline this front sets up.
     */
    @SuppressWarnings("deprecation") // Attribute.getAndRemove: Reactor Netty makes a fresh connection when absent
    boolean detach(Channel channel, ChannelHandler parked) {
        ChannelPipeline pipeline = channel.pipeline();
        if (initializer == null || !channel.isActive() || pipeline.get(SslHandler.class) != null
                || pipeline.get(NettyPipeline.HttpCodec) == null
                || pipeline.get(NettyPipeline.HttpTrafficHandler) == null) {
            return false;
        }
        List<String> names = List.copyOf(pipeline.toMap().keySet());
        if (!KNOWN.containsAll(names.stream().filter(name -> !name.startsWith("easgate.")).toList())) {
            return false; // a handler the initializer would add again for a new connection only (e.g. PROXY protocol)
        }
        for (String name : names) {
            pipeline.remove(name);
        }
        pipeline.addLast(PARKED, parked);
        channel.attr(OPERATIONS).getAndRemove();
        detached.incrementAndGet();
        // Reactor Netty's connections may read on demand only: keep one read pending to see the phone go away
        channel.read();
        return true;
    }

    /**
     * On the channel's event loop, once the answer is written: removes the parked handler and sets the connection up
     * as the server does an accepted one (HTTP codec, Reactor Netty's handlers, this front's timers), ready for the
     * next request.
     */
    void reattach(Channel channel) {
        detached.decrementAndGet();
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(PARKED) != null) {
            pipeline.remove(PARKED);
        }
        if (channel.isActive()) {
            pipeline.addLast(initializer);
        }
    }

    /** A taken-out connection closed before its answer. */
    void closed() {
        detached.decrementAndGet();
    }
}
