package dev.easgate.core.connection;

import dev.easgate.backends.logging.LogText;
import dev.easgate.core.metrics.GatewayMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.NettyPipeline;

/**
 * The node's client connections: installs each one's timers ({@link ConnectionWatch}), keeps their number within
 * {@code maxConnections} by closing the longest idle one when a new one arrives at the limit (see {@link #admit}), counts every close in
 * {@code easgate_http_closed_total{reason}} and logs it, and reports accept failures ({@link AcceptWatch}).
 */
public final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    /** Most evictions waiting for their close before accepting pauses. */
    static final int EVICTIONS_IN_FLIGHT = 32;
    static final String WATCH = "easgate.connectionWatch";
    static final String BYTES = "easgate.requestBytes";

    private final ConnectionPolicy policy;
    private final GatewayMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    /**
     * Connections without a request in progress (idle, or headers still arriving), those that may be evicted, in the
     * order they became idle: the first is the one idle the longest.
     */
    private final ConcurrentSkipListMap<Long, ConnectionWatch> evictable = new ConcurrentSkipListMap<>();
    private final AtomicLong idleOrder = new AtomicLong();
    /** Connections chosen for eviction whose close has not completed yet. */
    private final AtomicInteger evicting = new AtomicInteger();
    /** Whether accepting is paused until evictions catch up. */
    private final AtomicBoolean paused = new AtomicBoolean();
    private volatile Channel acceptor;
    private final LogBudget closeLog = new LogBudget(10, TimeUnit.SECONDS.toNanos(10), System::nanoTime);

    public ConnectionGuard(ConnectionPolicy policy, GatewayMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
        metrics.openConnectionsGauge(open, AtomicInteger::get);
        LOG.info("client connections: at most {} open (http.max-connections), closed after {} s idle, {} s for "
                        + "request headers, {} s of a stalled body (0: never); {} waiting to be accepted{}",
                policy.maxConnections(), policy.idleTimeout().toSeconds(), policy.headerTimeout().toSeconds(),
                policy.bodyTimeout().toSeconds(), policy.acceptBacklog(), backlogNote(policy.acceptBacklog(),
                        ConnectionPolicy.kernelBacklogLimit()));
    }

    /** Says when the kernel holds fewer waiting connections than asked (a reconnect storm beyond it is retried). */
    static String backlogNote(int asked, OptionalInt kernelLimit) {
        if (kernelLimit.isPresent() && kernelLimit.getAsInt() < asked) {
            return " asked (http.accept-backlog), " + kernelLimit.getAsInt() + " kept by the kernel "
                    + "(net.core.somaxconn)";
        }
        return " (http.accept-backlog)";
    }

    public ConnectionPolicy policy() {
        return policy;
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /**
     * Admits a connection just accepted, on the listening channel's thread before it is registered: counts it and, at
     * the limit, closes the connection idle the longest; refused (false, the caller closes it at once) only when every
     * connection has a request in progress. Accepts can outrun the event loops that close evicted connections, each
     * of which still holds a descriptor: while {@link #EVICTIONS_IN_FLIGHT} wait for their close, accepting pauses
     * (newcomers wait in the kernel's backlog, holding no descriptor) and resumes once half of them are closed.
     */
    boolean admit(Channel channel) {
        int now = open.incrementAndGet();
        if (now > policy.maxConnections()) {
            if (!evictOne()) {
                open.decrementAndGet();
                closed(CloseReason.REFUSED, channel.remoteAddress(), 0);
                return false;
            }
            if (evicting.get() >= EVICTIONS_IN_FLIGHT && acceptor != null && paused.compareAndSet(false, true)) {
                acceptor.config().setAutoRead(false);
            }
        }
        channel.closeFuture().addListener(done -> open.decrementAndGet());
        return true;
    }

    /** Installs the timers of a new client connection (its HTTP codec already in the pipeline). */
    public void install(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NettyPipeline.HttpCodec) == null) {
            return; // not HTTP/1.1 (the front speaks nothing else today)
        }
        ConnectionWatch watch = new ConnectionWatch(this, policy);
        pipeline.addBefore(NettyPipeline.HttpCodec, BYTES, watch.bytes());
        pipeline.addAfter(NettyPipeline.HttpCodec, WATCH, watch);
    }

    /**
     * Admits the listening channel's new connections ({@link #admit}) and reports its accept failures (out of file
     * descriptors) instead of leaving them silent.
     */
    public void watchAcceptor(Channel server) {
        acceptor = server;
        // added on the channel's own thread and awaited: a handler added from another thread is skipped by the
        // events that come before its (then asynchronous) handlerAdded, and an accept could slip past the count
        server.eventLoop().submit(() -> server.pipeline().addFirst("easgate.acceptWatch",
                new AcceptWatch(metrics, this))).syncUninterruptibly();
    }

    /** Files the connection among the evictable ones; returns its place, for {@link #busy}. */
    long idle(ConnectionWatch watch) {
        long place = idleOrder.incrementAndGet();
        evictable.put(place, watch);
        return place;
    }

    void busy(long place) {
        if (place != 0) {
            evictable.remove(place);
        }
    }

    /**
     * Closes the connection idle the longest (taken off the list at once, so that concurrent accepts take different
     * ones); false when none is idle.
     */
    private boolean evictOne() {
        Map.Entry<Long, ConnectionWatch> oldest = evictable.pollFirstEntry();
        if (oldest == null) {
            return false;
        }
        evicting.incrementAndGet();
        oldest.getValue().evict(this::evicted);
        return true;
    }

    private void evicted() {
        if (evicting.decrementAndGet() <= EVICTIONS_IN_FLIGHT / 2 && paused.compareAndSet(true, false)) {
            acceptor.config().setAutoRead(true);
        }
    }

    /** Counts and logs one close: idle closes at DEBUG (they are routine), the others at INFO within a budget. */
    void closed(CloseReason reason, SocketAddress peer, long afterNanos) {
        metrics.connectionClosed(reason.tag());
        String client = address(peer);
        String after = afterNanos > 0 ? " " + TimeUnit.NANOSECONDS.toSeconds(afterNanos) + " s" : "";
        if (reason == CloseReason.IDLE) {
            LOG.debug("closed connection from {}: {}{} ({})", client, reason.description(), after, reason.tag());
            return;
        }
        long skipped = closeLog.take();
        if (skipped >= 0) {
            LOG.info("closed connection from {}: {}{} ({}; {} open{})", client, reason.description(), after,
                    reason.tag(), open.get(), skipped > 0 ? "; " + skipped + " more closes not logged" : "");
        }
    }

    static String address(SocketAddress peer) {
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return LogText.escape(inet.getAddress().getHostAddress() + ":" + inet.getPort());
        }
        return LogText.escape(String.valueOf(peer));
    }
}
