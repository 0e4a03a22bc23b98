package dev.easgate.backends.bus;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The change bus of a single node: events go straight to this process's listeners. The default, needing no Redis.
 */
public final class InProcessChangeBus implements ChangeBus {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessChangeBus.class);

    /**
     * Each listened user's listeners: the one {@link BusListener} itself, or a {@code BusListener[]} of two or more
     * (copied on write). Most users have one parked device, so one map entry and nothing else per listened user.
     * Changed only inside the map's compute.
     */
    private final ConcurrentHashMap<String, Object> listeners = new ConcurrentHashMap<>();

    @Override
    public Mono<Void> publish(BusEvent event) {
        return Mono.fromRunnable(() -> deliver(event));
    }

    private void deliver(BusEvent event) {
        Object forUser = listeners.get(event.user());
        if (forUser instanceof BusListener one) {
            deliver(event, one);
        } else if (forUser != null) {
            for (BusListener listener : (BusListener[]) forUser) {
                deliver(event, listener);
            }
        }
    }

    private static void deliver(BusEvent event, BusListener listener) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.error("a bus listener of user={} failed", event.user(), e);
        }
    }

    @Override
    public Mono<Disposable> listen(String user, BusListener listener) {
        return Mono.fromSupplier(() -> {
            // add inside compute: atomic with a concurrent dispose removing the user's last listener
            listeners.compute(user, (u, current) -> added(current, listener));
            return new Registration(user, listener);
        });
    }

    private static Object added(Object current, BusListener listener) {
        if (current == null) {
            return listener;
        }
        BusListener[] before = current instanceof BusListener one ? new BusListener[] {one} : (BusListener[]) current;
        BusListener[] after = Arrays.copyOf(before, before.length + 1);
        after[before.length] = listener;
        return after;
    }

    /** {@code current} without {@code listener} (compared by identity), or null when none is left. */
    private static Object removed(Object current, BusListener listener) {
        if (current == listener) {
            return null;
        }
        if (!(current instanceof BusListener[] many)) {
            return current;
        }
        int at = -1;
        for (int i = 0; i < many.length && at < 0; i++) {
            if (many[i] == listener) {
                at = i;
            }
        }
        if (at < 0) {
            return current;
        }
        if (many.length == 2) {
            return many[1 - at];
        }
        BusListener[] after = new BusListener[many.length - 1];
        System.arraycopy(many, 0, after, 0, at);
        System.arraycopy(many, at + 1, after, at, many.length - at - 1);
        return after;
    }

    /** One listener's registration: disposing it (once) removes the listener, and the user's entry with the last. */
    private final class Registration implements Disposable {
        private static final AtomicIntegerFieldUpdater<Registration> DISPOSED =
                AtomicIntegerFieldUpdater.newUpdater(Registration.class, "disposed");

        private final String user;
        private final BusListener listener;
        private volatile int disposed;

        Registration(String user, BusListener listener) {
            this.user = user;
            this.listener = listener;
        }

        @Override
        public void dispose() {
            if (DISPOSED.compareAndSet(this, 0, 1)) {
                // atomic with concurrent adds of the same user's listeners
                listeners.computeIfPresent(user, (u, current) -> removed(current, listener));
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed != 0;
        }
    }

    /** Users with at least one listener (for tests and metrics). */
    public int listenedUsers() {
        return listeners.size();
    }

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
