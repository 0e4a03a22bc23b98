package dev.easgate.core.http;

import dev.easgate.core.command.CommandResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * What the HTTP server subscribes to for one EAS request: the request's pipeline, then, when it parked, its answer
 * ({@link Exchange#later}), then the sending of that answer; {@link Exchange#end()} once, however it ends. One
 * object serves the three in turn and keeps no reference to a finished one, so while a request is parked nothing of
 * its pipeline (operators, their lambdas, the query, the account, the body) is reachable from the connection: only
 * this, the exchange, the parked answer and the few fields its {@link Exchange.Reply} sends with. On a cleartext
 * HTTP/1.1 connection kept alive, this is moreover the connection's only handler while the request is parked: the
 * connection is taken out of Reactor Netty and the answer written raw ({@link ParkedConnections}).
 */
final class ExchangeMono extends Mono<Void> {
    private final Mono<Void> pipeline;
    private final Exchange exchange;

    ExchangeMono(Mono<Void> pipeline, Exchange exchange) {
        this.pipeline = pipeline;
        this.exchange = exchange;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        Run run = new Run(actual, exchange);
        actual.onSubscribe(run);
        pipeline.subscribe(run);
    }

    /**
     * The subscriber of each stage in turn, and the server's subscription. While its request is parked on a
     * cleartext HTTP/1.1 connection, it is also the connection's only handler ({@link ParkedConnections}): it then
     * writes the answer itself and learns from the channel when the phone goes away.
     */
    private static final class Run extends ChannelInboundHandlerAdapter implements CoreSubscriber<Object>,
            Subscription {
        private static final int PIPELINE = 0;
        private static final int PARKED = 1;
        private static final int SENDING = 2;
        private static final int DONE = 3;
        private static final AtomicIntegerFieldUpdater<Run> PHASE = AtomicIntegerFieldUpdater.newUpdater(Run.class,
                "phase");

        /** The server's subscriber; null once the connection is taken out of Reactor Netty. */
        private volatile CoreSubscriber<? super Void> actual;
        private final Exchange exchange;
        private volatile int phase;
        private volatile Subscription upstream;
        /** The request's context, for the parked answer and its sending (the pipeline had it from its own). */
        private Context context;
        private Exchange.Reply reply;
        private CommandResponse answer;
        /** The connection, once taken out of Reactor Netty (set and read on its event loop). */
        private Channel detached;

        Run(CoreSubscriber<? super Void> actual, Exchange exchange) {
            this.actual = actual;
            this.exchange = exchange;
        }

        @Override
        public Context currentContext() {
            Context parked = context;
            if (parked != null) {
                return parked;
            }
            CoreSubscriber<? super Void> server = actual;
            return server != null ? server.currentContext() : Context.empty();
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            if (phase == DONE) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(Object value) {
            if (phase == PARKED && value instanceof CommandResponse response) {
                answer = response;
            }
        }

        @Override
        public void onError(Throwable error) {
            int now = phase;
            if (now == PARKED) {
                send(null, error);
            } else if (now != DONE && PHASE.compareAndSet(this, now, DONE)) {
                upstream = null;
                try {
                    actual.onError(error);
                } finally {
                    exchange.end();
                }
            } else {
                Operators.onErrorDropped(error, currentContext());
            }
        }

        @Override
        public void onComplete() {
            int now = phase;
            if (now == PIPELINE) {
                upstream = null;
                Mono<CommandResponse> later = exchange.takeLater();
                if (later == null) {
                    finish();
                    return;
                }
                context = exchange.takeLaterContext();
                reply = exchange.takeReply();
                if (PHASE.compareAndSet(this, PIPELINE, PARKED)) {
                    later.subscribe(this);
                    Channel channel = exchange.channel();
                    if (channel != null) {
                        channel.eventLoop().execute(() -> detach(channel));
                    }
                }
            } else if (now == PARKED) {
                CommandResponse result = answer;
                send(result, result == null ? new IllegalStateException("a parked answer completed empty") : null);
            } else if (now == SENDING) {
                finish();
            }
        }

        /** On the event loop: takes the parked request's connection out of Reactor Netty, when it still waits. */
        private void detach(Channel channel) {
            if (phase != PARKED || !exchange.connections().detach(channel, this)) {
                return;
            }
            detached = channel;
            // Reactor Netty's request, its subscriber chain and this request's context are let go
            actual = null;
            context = null;
            reply.detached();
        }

        private void send(CommandResponse result, Throwable failure) {
            if (!PHASE.compareAndSet(this, PARKED, SENDING)) {
                return;
            }
            upstream = null;
            answer = null;
            Channel channel = exchange.channel();
            if (channel == null) {
                deliver(result, failure);
            } else {
                // decided on the event loop, after any detach queued before
                channel.eventLoop().execute(() -> deliver(result, failure));
            }
        }

        private void deliver(CommandResponse result, Throwable failure) {
            if (phase == DONE) {
                return; // taken out of Reactor Netty, the phone went away meanwhile
            }
            Exchange.Reply sender = reply;
            reply = null;
            CommandResponse response = sender.resolve(result, failure);
            Channel channel = detached;
            if (channel == null) {
                sender.send(response).subscribe(this);
                return;
            }
            ByteBuf bytes;
            try {
                bytes = RawResponse.encode(response, channel.alloc());
            } catch (RuntimeException e) {
                response = sender.resolve(null, e);
                bytes = RawResponse.encode(response, channel.alloc());
            }
            channel.writeAndFlush(bytes);
            exchange.connections().reattach(channel);
            sender.written(response.httpStatus());
            if (PHASE.getAndSet(this, DONE) != DONE) {
                exchange.end();
            }
        }

        private void finish() {
            if (PHASE.getAndSet(this, DONE) != DONE) {
                upstream = null;
                try {
                    actual.onComplete();
                } finally {
                    exchange.end();
                }
            }
        }

        @Override
        public void request(long n) {
            // a Mono<Void>: nothing to deliver but completion
        }

        @Override
        public void cancel() {
            if (PHASE.getAndSet(this, DONE) != DONE) {
                Subscription current = upstream;
                upstream = null;
                if (current != null) {
                    current.cancel();
                }
                exchange.end();
            }
        }

        /** Taken out of Reactor Netty, the phone went away before its answer: as Reactor Netty cancels. */
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (detached != null && phase != DONE) {
                exchange.connections().closed();
                Exchange.Reply sender = reply;
                if (sender != null) {
                    // counted as Reactor Netty's own cancel counts it: the response's status, 200 until set
                    sender.written(HttpResponseStatus.OK.code());
                }
                cancel();
            }
            ctx.fireChannelInactive();
        }

        /**
         * Taken out of Reactor Netty, the connection expects nothing from the phone before its answer (MS-ASHTTP
         * clients do not pipeline): empty lines are let pass (RFC 9112 section 2.2), anything else closes it.
         */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean blank = msg instanceof ByteBuf bytes
                    && bytes.forEachByte(b -> b == '\r' || b == '\n') == -1;
            ReferenceCountUtil.release(msg);
            if (!blank) {
                ctx.close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
