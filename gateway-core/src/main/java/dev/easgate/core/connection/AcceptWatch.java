package dev.easgate.core.connection;

import dev.easgate.core.metrics.GatewayMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of the listening channel. Each accepted connection passes {@link ConnectionGuard#admit} here, on
 * the accepting thread, before it is registered anywhere (so the limit holds at accept time, not later when a busy
 * event loop gets to it); a refused one is closed at once. An accept that fails (EMFILE, "Too many open files", when
 * the process is out of file descriptors) is counted and logged at WARN, at most once a minute with the count since,
 * then passed on (Netty's acceptor pauses accepting for a second).
 */
final class AcceptWatch extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptWatch.class);

    private final GatewayMetrics metrics;
    private final ConnectionGuard guard;
    private final LogBudget budget = new LogBudget(1, TimeUnit.MINUTES.toNanos(1), System::nanoTime);

    AcceptWatch(GatewayMetrics metrics, ConnectionGuard guard) {
        this.metrics = metrics;
        this.guard = guard;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child && !guard.admit(child)) {
            child.unsafe().closeForcibly(); // not registered yet: as Netty's acceptor closes a child it cannot take
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            metrics.acceptFailure();
            long skipped = budget.take();
            if (skipped >= 0) {
                LOG.warn("cannot accept connections: {} ({} client connections open, http.max-connections {}{}); "
                                + "new clients are turned away until descriptors free up: raise the open-file limit "
                                + "(LimitNOFILE) or lower http.max-connections",
                        cause.getMessage(), guard.open(), guard.policy().maxConnections(),
                        skipped > 0 ? "; " + skipped + " more failures since the last line" : "");
            }
        }
        ctx.fireExceptionCaught(cause);
    }
}
