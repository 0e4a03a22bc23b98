package dev.easgate.core.connection;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's timers, placed right after the HTTP codec (requests and responses as objects), with
 * {@link #bytes()} right before it (raw bytes, to see a request begin before its headers are complete). A connection
 * is in one phase at a time and only the first three have a timer:
 * <ul>
 *   <li>idle: no request in progress; closed {@code idleTimeout} after it became idle;</li>
 *   <li>headers: bytes of a request arrived, its headers are not complete; closed {@code headerTimeout} after the
 *       first byte however many trickle in (slowloris);</li>
 *   <li>body: headers read, body not complete; closed once no byte arrived for {@code bodyTimeout} (a stall: a slow
 *       upload that keeps moving is never cut);</li>
 *   <li>answering: the request is read and its response not fully written. No timer: a parked Ping or Sync ends at
 *       its heartbeat, a download lasts as long as the phone keeps reading.</li>
 * </ul>
 * Every field is touched on the channel's event loop only.
 */
final class ConnectionWatch extends ChannelDuplexHandler {
    private enum Phase { IDLE, HEADERS, BODY, ANSWERING }

    private final ConnectionGuard guard;
    private final long idleNanos;
    private final long headerNanos;
    private final long bodyNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    /** Its place among the guard's evictable connections while idle, else 0. */
    private long idlePlace;
    private long lastBodyByte;
    /** Requests whose final response is not completely written (more than one only when a client pipelines). */
    private int unanswered;
    /** A final response's head is written and its end not yet. */
    private boolean responding;
    private ScheduledFuture<?> timer;
    private boolean closing;

    ConnectionWatch(ConnectionGuard guard, ConnectionPolicy policy) {
        this.guard = guard;
        this.idleNanos = policy.idleTimeout().toNanos();
        this.headerNanos = policy.headerTimeout().toNanos();
        this.bodyNanos = policy.bodyTimeout().toNanos();
    }

    /** The handler to place before the HTTP codec: it tells this one about every chunk of bytes read. */
    ChannelInboundHandlerAdapter bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext context, Object msg) {
                bytesRead();
                context.fireChannelRead(msg);
            }
        };
    }

    /**
     * Closes the connection if it is still without a request in progress (called from any thread); {@code done} runs
     * once it is closed or spared.
     */
    void evict(Runnable done) {
        ChannelHandlerContext context = ctx;
        if (context == null) {
            done.run();
            return;
        }
        context.executor().execute(() -> {
            if ((phase == Phase.IDLE || phase == Phase.HEADERS) && !closing && context.channel().isActive()) {
                close(CloseReason.EVICTED);
                context.channel().closeFuture().addListener(closed -> done.run());
            } else {
                done.run();
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        becomeIdle();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        cancelTimer();
        leaveIdle();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        cancelTimer();
        leaveIdle();
        context.fireChannelInactive();
    }

    private void bytesRead() {
        if (phase == Phase.IDLE) {
            phase = Phase.HEADERS;
            schedule(headerNanos);
        } else if (phase == Phase.BODY) {
            lastBodyByte = System.nanoTime();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        // the phase changes before the message goes on: a handler may answer within this call
        if (msg instanceof HttpRequest) {
            unanswered++;
            leaveIdle();
            phase = Phase.BODY;
            lastBodyByte = System.nanoTime();
            schedule(bodyNanos);
        }
        if (msg instanceof LastHttpContent) {
            if (phase == Phase.BODY) {
                if (unanswered == 0) {
                    becomeIdle(); // answered before its body was read (e.g. 413), the body has now ended
                } else {
                    phase = Phase.ANSWERING;
                    cancelTimer();
                }
            }
        } else if (msg instanceof HttpContent) {
            lastBodyByte = System.nanoTime();
        }
        context.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) {
        ChannelPromise written = promise;
        if (msg instanceof HttpResponse response
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            responding = true; // 100 Continue is no answer: the request goes on
        }
        if (msg instanceof LastHttpContent && responding) {
            responding = false;
            written = promise.unvoid();
            written.addListener(done -> answered());
        }
        context.write(msg, written);
    }

    private void answered() {
        unanswered = Math.max(0, unanswered - 1);
        if (unanswered == 0 && phase == Phase.ANSWERING) {
            becomeIdle();
        }
        // still BODY: answered early while the client sends its body; the stall timer keeps running
    }

    private void becomeIdle() {
        phase = Phase.IDLE;
        leaveIdle();
        idlePlace = guard.idle(this);
        schedule(idleNanos);
    }

    private void leaveIdle() {
        guard.busy(idlePlace);
        idlePlace = 0;
    }

    private void schedule(long nanos) {
        cancelTimer();
        if (nanos > 0 && ctx != null) {
            Phase armed = phase;
            timer = ctx.executor().schedule(() -> expired(armed), nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired(Phase armed) {
        timer = null;
        if (phase != armed || closing) {
            return;
        }
        switch (phase) {
            case IDLE -> close(CloseReason.IDLE);
            case HEADERS -> close(CloseReason.HEADER_TIMEOUT);
            case BODY -> {
                long quiet = System.nanoTime() - lastBodyByte;
                if (quiet >= bodyNanos) {
                    // MS-ASHTTP 2.2.2.1.1 lists no 408: a phone takes a dropped connection as a network failure and
                    // retries, which is what a stall on a mobile network calls for
                    close(CloseReason.BODY_TIMEOUT);
                } else {
                    timer = ctx.executor().schedule(() -> expired(Phase.BODY), bodyNanos - quiet,
                            TimeUnit.NANOSECONDS);
                }
            }
            case ANSWERING -> {
            }
        }
    }

    private void close(CloseReason reason) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        closing = true;
        cancelTimer();
        long after = switch (reason) {
            case IDLE -> idleNanos;
            case HEADER_TIMEOUT -> headerNanos;
            case BODY_TIMEOUT -> bodyNanos;
            default -> 0;
        };
        guard.closed(reason, ctx.channel().remoteAddress(), after);
        ctx.channel().close();
    }
}
