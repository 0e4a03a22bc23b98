package dev.easgate.backends.bus;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Delivers per-user events to every listener of that user on every node. Implementations subscribe to a user's
 * channel while at least one listener of that user is registered on this node, and unsubscribe when the last one
 * leaves.
 *
 * <p>Ordering rule for callers that must never miss a change: register first, wait for {@link #listen}'s Mono to
 * emit (the bus now delivers to the listener), then check the store; an event published after that check is
 * delivered, and one published before it is seen by the check.
 */
public interface ChangeBus extends AutoCloseable {

    /** Publishes an event on its user's channel; completes once the bus accepted it. */
    Mono<Void> publish(BusEvent event);

    /**
     * Registers a listener for a user's events. The Mono emits once delivery to the listener is established (for a
     * networked bus: the channel subscription is acknowledged). Dispose the registration to stop; disposing is
     * idempotent. While a networked bus is disconnected, listening still succeeds at once: the listener is
     * registered locally and gets {@link BusListener#onGap()} when the connection is restored, since events may
     * have been missed meanwhile.
     */
    Mono<Disposable> listen(String user, BusListener listener);

    /** Whether the bus currently delivers (a networked bus: connected). */
    boolean connected();

    @Override
    void close();
}
