package dev.easgate.backends.imap;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.BusListener;
import dev.easgate.backends.bus.ChangeBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The fallback for IMAP servers that cannot push: watches the users that have a parked device on this node (it
 * wraps the node's {@link ChangeBus} and sees who listens) with one CONDSTORE {@code STATUS (HIGHESTMODSEQ)} per
 * folder every {@code interval}, the users spread evenly over the interval, at most {@code maxFolders} folders per
 * round on this node; a folder whose HIGHESTMODSEQ moved, or a changed folder list, is published on the bus as the
 * same event a push would give.
 *
 * <p>A user's baseline is taken when their first listener registers, before the registration is reported: the
 * parking request's own store check comes after it, so a change in between is not lost.
 */
public final class ImapChangeWatcher implements ChangeBus {
    private static final Logger LOG = LoggerFactory.getLogger(ImapChangeWatcher.class);

    private final ChangeBus delegate;
    private final ImapMailStore store;
    private final Duration interval;
    private final int maxFolders;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    private final AtomicBoolean capLogged = new AtomicBoolean();
    private volatile Disposable rounds;

    public ImapChangeWatcher(ChangeBus delegate, ImapMailStore store, Duration interval, int maxFolders) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.store = store;
        this.interval = interval;
        this.maxFolders = maxFolders;
    }

    /** Starts the rounds; no-op for a zero interval. */
    public ImapChangeWatcher start() {
        if (!interval.isZero() && !interval.isNegative()) {
            rounds = Flux.interval(interval, interval, Schedulers.parallel())
                    .onBackpressureDrop()
                    .concatMap(tick -> round(), 1)
                    .subscribe();
        }
        return this;
    }

    /** Users watched now. */
    public int watchedUsers() {
        return watched.size();
    }

    @Override
    public Mono<Void> publish(BusEvent event) {
        return delegate.publish(event);
    }

    @Override
    public Mono<Disposable> listen(String user, BusListener listener) {
        return delegate.listen(user, listener).flatMap(registration -> {
            Watched entry = watched.compute(user, (u, w) -> {
                Watched value = w == null ? new Watched() : w;
                value.listeners.incrementAndGet();
                return value;
            });
            AtomicBoolean disposed = new AtomicBoolean();
            Disposable wrapped = new Disposable() {
                @Override
                public void dispose() {
                    if (disposed.compareAndSet(false, true)) {
                        registration.dispose();
                        watched.computeIfPresent(user, (u, w) -> w.listeners.decrementAndGet() <= 0 ? null : w);
                    }
                }

                @Override
                public boolean isDisposed() {
                    return disposed.get();
                }
            };
            if (entry.baseline != null || interval.isZero()) {
                return Mono.just(wrapped);
            }
            return store.highestModSeqs(user, maxFolders)
                    .doOnNext(seqs -> {
                        if (entry.baseline == null) {
                            entry.baseline = seqs;
                        }
                    })
                    .onErrorResume(e -> {
                        LOG.debug("watcher: no baseline for user={}: {}", user, e.toString());
                        return Mono.empty();
                    })
                    .thenReturn(wrapped);
        });
    }

    /** One round: every watched user once, spread over the interval, within the folder cap. */
    private Mono<Void> round() {
        List<String> users = new ArrayList<>(watched.keySet());
        if (users.isEmpty()) {
            return Mono.empty();
        }
        Duration step = interval.dividedBy(users.size() + 1L);
        AtomicInteger budget = new AtomicInteger(maxFolders);
        return Flux.fromIterable(users)
                .concatMap(user -> Mono.delay(step).then(check(user, budget)))
                .then();
    }

    private Mono<Void> check(String user, AtomicInteger budget) {
        Watched entry = watched.get(user);
        int allowed = budget.get();
        if (entry == null) {
            return Mono.empty();
        }
        if (allowed <= 0) {
            if (capLogged.compareAndSet(false, true)) {
                LOG.warn("watcher: more than {} folders watched on this node; the rest wait for the next round",
                        maxFolders);
            }
            return Mono.empty();
        }
        return store.highestModSeqs(user, allowed)
                .flatMap(now -> {
                    budget.addAndGet(-now.size());
                    Map<String, Long> before = entry.baseline;
                    entry.baseline = now;
                    if (before == null) {
                        return Mono.empty();
                    }
                    List<BusEvent> events = new ArrayList<>();
                    if (!before.keySet().equals(now.keySet())) {
                        events.add(new BusEvent.FolderChanged(user, null, true, System.currentTimeMillis()));
                    }
                    now.forEach((folderId, seq) -> {
                        Long old = before.get(folderId);
                        if (old != null && !old.equals(seq)) {
                            events.add(new BusEvent.FolderChanged(user, folderId, false, System.currentTimeMillis()));
                        }
                    });
                    return Flux.fromIterable(events).concatMap(delegate::publish).then();
                })
                .onErrorResume(e -> {
                    LOG.debug("watcher: user={} not checked: {}", user, e.toString());
                    return Mono.empty();
                });
    }

    @Override
    public boolean connected() {
        return delegate.connected();
    }

    @Override
    public void close() {
        Disposable current = rounds;
        if (current != null) {
            current.dispose();
        }
        delegate.close();
    }

    private static final class Watched {
        final AtomicInteger listeners = new AtomicInteger();
        volatile Map<String, Long> baseline;
    }
}
