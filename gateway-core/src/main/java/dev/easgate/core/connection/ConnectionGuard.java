package dev.easgate.core.connection;

import dev.easgate.backends.logging.LogText;
import dev.easgate.core.metrics.GatewayMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.NettyPipeline;

/**
 * The node's client connections: installs each one's timers ({@link ConnectionWatch}), keeps their number within
 * {@code maxConnections} by closing the longest idle one when a new one arrives at the limit, counts every close in
 * {@code easgate_http_closed_total{reason}} and logs it, and reports accept failures ({@link AcceptFailures}).
 */
public final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    /** Idle connections looked at to choose the one to evict: the oldest of a sample, in constant time. */
    private static final int EVICTION_SAMPLE = 16;
    static final String WATCH = "easgate.connectionWatch";
    static final String BYTES = "easgate.requestBytes";

    private final ConnectionPolicy policy;
    private final GatewayMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    /** Connections without a request in progress (idle, or headers still arriving): those that may be evicted. */
    private final Set<ConnectionWatch> evictable = ConcurrentHashMap.newKeySet();
    private final LogBudget closeLog = new LogBudget(10, TimeUnit.SECONDS.toNanos(10), System::nanoTime);

    public ConnectionGuard(ConnectionPolicy policy, GatewayMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
        metrics.openConnectionsGauge(open, AtomicInteger::get);
    }

    public ConnectionPolicy policy() {
        return policy;
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /**
     * Takes a new client connection (its HTTP codec already in the pipeline): counts it, makes room at the limit, and
     * installs its timers.
     */
    public void install(Channel channel) {
        int now = open.incrementAndGet();
        channel.closeFuture().addListener(done -> open.decrementAndGet());
        if (now > policy.maxConnections() && !evictOne()) {
            closed(CloseReason.REFUSED, channel.remoteAddress(), 0);
            channel.close();
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NettyPipeline.HttpCodec) == null) {
            return; // not HTTP/1.1 (the front speaks nothing else today)
        }
        ConnectionWatch watch = new ConnectionWatch(this, policy);
        pipeline.addBefore(NettyPipeline.HttpCodec, BYTES, watch.bytes());
        pipeline.addAfter(NettyPipeline.HttpCodec, WATCH, watch);
    }

    /** Reports accept failures of the listening channel (out of file descriptors) instead of leaving them silent. */
    public void watchAcceptor(Channel server) {
        server.pipeline().addFirst("easgate.acceptFailures", new AcceptFailures(metrics, this));
    }

    void idle(ConnectionWatch watch) {
        evictable.add(watch);
    }

    void busy(ConnectionWatch watch) {
        evictable.remove(watch);
    }

    /** Closes the oldest idle connection of a sample; false when none is idle. */
    private boolean evictOne() {
        while (true) {
            ConnectionWatch oldest = null;
            Iterator<ConnectionWatch> candidates = evictable.iterator();
            for (int i = 0; i < EVICTION_SAMPLE && candidates.hasNext(); i++) {
                ConnectionWatch candidate = candidates.next();
                if (oldest == null || candidate.idleSince() - oldest.idleSince() < 0) {
                    oldest = candidate;
                }
            }
            if (oldest == null) {
                return false;
            }
            if (evictable.remove(oldest)) { // a concurrent accept may have taken the same one
                oldest.evict();
                return true;
            }
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
