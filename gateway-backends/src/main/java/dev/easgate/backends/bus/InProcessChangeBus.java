package dev.easgate.backends.bus;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The change bus of a single node: events go straight to this process's listeners. The default, needing no Redis.
 */
public final class InProcessChangeBus implements ChangeBus {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessChangeBus.class);

    private final ConcurrentHashMap<String, Set<BusListener>> listeners = new ConcurrentHashMap<>();

    @Override
    public Mono<Void> publish(BusEvent event) {
        return Mono.fromRunnable(() -> deliver(event));
    }

    private void deliver(BusEvent event) {
        Set<BusListener> forUser = listeners.get(event.user());
        if (forUser == null) {
            return;
        }
        for (BusListener listener : forUser) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.error("a bus listener of user={} failed", event.user(), e);
            }
        }
    }

    @Override
    public Mono<Disposable> listen(String user, BusListener listener) {
        return Mono.fromSupplier(() -> {
            // add inside compute: atomic with a concurrent dispose removing the user's last listener
            listeners.compute(user, (u, set) -> {
                Set<BusListener> target = set == null ? new CopyOnWriteArraySet<>() : set;
                target.add(listener);
                return target;
            });
            AtomicBoolean disposed = new AtomicBoolean();
            return new Disposable() {
                @Override
                public void dispose() {
                    if (disposed.compareAndSet(false, true)) {
                        // remove the user's set when its last listener leaves, atomically with concurrent adds
                        listeners.computeIfPresent(user, (u, set) -> {
                            set.remove(listener);
                            return set.isEmpty() ? null : set;
                        });
                    }
                }

                @Override
                public boolean isDisposed() {
                    return disposed.get();
                }
            };
        });
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
