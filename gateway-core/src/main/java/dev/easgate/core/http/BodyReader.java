package dev.easgate.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Collects a request body (its chunks retained into one composite buffer, within a size limit) and hands it over
 * through a one-value sink. The connection's inbound keeps a reference to its last reader even after the body is
 * read; with this reader in between, that reference reaches only this small object and not the request's
 * pipeline, so a parked request's pipeline can be collected.
 */
final class BodyReader extends BaseSubscriber<ByteBuf> {
    private final long maxBytes;
    private final CompositeByteBuf composite = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    private final Sinks.One<ByteBuf> result = Sinks.one();
    /** Set once the composite is handed over or released, whichever comes first. */
    private final AtomicBoolean settled = new AtomicBoolean();

    BodyReader(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The whole body, or BodyTooLargeException; cancelling it stops reading and releases what was read. */
    Mono<ByteBuf> body() {
        return result.asMono().doOnCancel(() -> {
            dispose();
            release();
        });
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    protected void hookOnNext(ByteBuf chunk) {
        if (settled.get()) {
            chunk.release();
            return;
        }
        composite.addComponent(true, chunk);
        if (composite.readableBytes() > maxBytes) {
            dispose();
            release();
            result.tryEmitError(new EasEndpoint.BodyTooLargeException());
        }
    }

    @Override
    protected void hookOnComplete() {
        if (settled.compareAndSet(false, true)) {
            if (result.tryEmitValue(composite).isFailure()) {
                composite.release(); // nobody waits any more
            }
        }
    }

    @Override
    protected void hookOnError(Throwable error) {
        release();
        result.tryEmitError(error);
    }

    private void release() {
        if (settled.compareAndSet(false, true)) {
            composite.release();
        }
    }
}
