package dev.easgate.core.http;

import dev.easgate.core.command.CommandResponse;
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
 * this, the exchange, the parked answer and the few fields its {@link Exchange.Reply} sends with.
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

    /** The subscriber of each stage in turn, and the server's subscription. */
    private static final class Run implements CoreSubscriber<Object>, Subscription {
        private static final int PIPELINE = 0;
        private static final int PARKED = 1;
        private static final int SENDING = 2;
        private static final int DONE = 3;
        private static final AtomicIntegerFieldUpdater<Run> PHASE = AtomicIntegerFieldUpdater.newUpdater(Run.class,
                "phase");

        private final CoreSubscriber<? super Void> actual;
        private final Exchange exchange;
        private volatile int phase;
        private volatile Subscription upstream;
        /** The request's context, for the parked answer and its sending (the pipeline had it from its own). */
        private Context context;
        private Exchange.Reply reply;
        private CommandResponse answer;

        Run(CoreSubscriber<? super Void> actual, Exchange exchange) {
            this.actual = actual;
            this.exchange = exchange;
        }

        @Override
        public Context currentContext() {
            Context parked = context;
            return parked != null ? parked : actual.currentContext();
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
                context = exchange.laterContext();
                reply = exchange.reply();
                if (PHASE.compareAndSet(this, PIPELINE, PARKED)) {
                    later.subscribe(this);
                }
            } else if (now == PARKED) {
                CommandResponse result = answer;
                send(result, result == null ? new IllegalStateException("a parked answer completed empty") : null);
            } else if (now == SENDING) {
                finish();
            }
        }

        private void send(CommandResponse result, Throwable failure) {
            if (!PHASE.compareAndSet(this, PARKED, SENDING)) {
                return;
            }
            upstream = null;
            answer = null;
            Exchange.Reply sender = reply;
            reply = null;
            sender.send(result, failure).subscribe(this);
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
    }
}
