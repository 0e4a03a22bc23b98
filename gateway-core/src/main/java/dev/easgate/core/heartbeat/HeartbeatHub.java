package dev.easgate.core.heartbeat;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.BusListener;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ParkedUsers;
import dev.easgate.backends.state.DeviceKey;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Parks requests without holding a thread. A parked request is a {@link Sinks.One} completed by whichever comes
 * first: a bus event for a watched folder, the heartbeat timer, a newer park of the same device (here or on another
 * node, learnt through the bus), a bus gap, or {@link #drain()}.
 *
 * <p>It is also the node's {@link ParkedUsers} view (who is parked here, watching which folders), kept on park and
 * unpark, for the fallback watchers of stores that cannot push.
 */
public final class HeartbeatHub implements ParkedUsers {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatHub.class);

    private final ChangeBus bus;
    private final ConcurrentHashMap<DeviceKey, Park> parked = new ConcurrentHashMap<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger parkedCount = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> parkedByCommand = new ConcurrentHashMap<>();
    /** Per parked user: how many of their parks watch each folder. Changed only inside the map's compute. */
    private final ConcurrentHashMap<String, Map<String, Integer>> parkedUsers = new ConcurrentHashMap<>();
    private final WakeObserver observer;

    /** Learns how each park ended: for metrics. Called on the thread that ended it; must not block. */
    public interface WakeObserver {
        /**
         * @param outcome       how it ended
         * @param latencyMillis from the waking event's publication to now, or -1 when no event woke it
         */
        void woke(ParkOutcome outcome, long latencyMillis);

        WakeObserver NONE = (outcome, latencyMillis) -> { };
    }

    public HeartbeatHub(ChangeBus bus) {
        this(bus, WakeObserver.NONE);
    }

    public HeartbeatHub(ChangeBus bus, WakeObserver observer) {
        this.bus = bus;
        this.observer = observer;
    }

    /** Requests parked on this node now. */
    public int parked() {
        return parkedCount.get();
    }

    /** Requests of one command (Ping, Sync) parked on this node now. */
    public int parked(String command) {
        AtomicInteger count = parkedByCommand.get(command);
        return count == null ? 0 : count.get();
    }

    @Override
    public Set<String> parkedUsers() {
        return Collections.unmodifiableSet(parkedUsers.keySet());
    }

    @Override
    public Set<String> parkedFolders(String user) {
        java.util.concurrent.atomic.AtomicReference<Set<String>> copy = new java.util.concurrent.atomic.AtomicReference<>(
                Set.of());
        parkedUsers.computeIfPresent(user, (u, folders) -> {
            copy.set(Set.copyOf(folders.keySet()));
            return folders;
        });
        return copy.get();
    }

    private void watch(String user, Set<String> folderIds) {
        parkedUsers.compute(user, (u, folders) -> {
            Map<String, Integer> value = folders == null ? new HashMap<>() : folders;
            folderIds.forEach(id -> value.merge(id, 1, Integer::sum));
            return value;
        });
    }

    private void unwatch(String user, Set<String> folderIds) {
        parkedUsers.computeIfPresent(user, (u, folders) -> {
            folderIds.forEach(id -> folders.computeIfPresent(id, (f, n) -> n <= 1 ? null : n - 1));
            return folders.isEmpty() ? null : folders;
        });
    }

    /** Parks until the outcome; cancelling the returned Mono (the client went away) unparks cleanly. */
    public Mono<ParkOutcome> park(ParkRequest request) {
        return Mono.deferContextual(context -> {
            ParkSignal signal = context.getOrDefault(ParkSignal.class, ParkSignal.NONE);
            if (draining.get()) {
                return Mono.just(ParkOutcome.of(ParkOutcome.Reason.DRAINED));
            }
            Park park = new Park(request, UUID.randomUUID().toString());
            Park previous = parked.put(request.device(), park);
            if (previous != null) {
                previous.end(ParkOutcome.of(ParkOutcome.Reason.SUPERSEDED));
            }
            parkedCount.incrementAndGet();
            signal.parked();
            AtomicInteger byCommand = parkedByCommand.computeIfAbsent(request.command(), c -> new AtomicInteger());
            byCommand.incrementAndGet();
            watch(request.device().user(), request.folderIds());
            return bus.listen(request.device().user(), park)
                    .flatMap(registration -> {
                        park.registration(registration);
                        return announce(park)
                                .then(request.checkStore())
                                .flatMap(changed -> {
                                    if (!changed.isEmpty()) {
                                        park.end(new ParkOutcome(ParkOutcome.Reason.CHANGED, changed));
                                    }
                                    return park.outcome(request);
                                });
                    })
                    .doOnNext(outcome -> observer.woke(outcome, outcome.reason() == ParkOutcome.Reason.CHANGED
                            || outcome.reason() == ParkOutcome.Reason.HIERARCHY_CHANGED ? park.latencyMillis() : -1))
                    .doFinally(end -> {
                        signal.unparked();
                        byCommand.decrementAndGet();
                        unwatch(request.device().user(), request.folderIds());
                        park.release();
                        parked.remove(request.device(), park);
                        parkedCount.decrementAndGet();
                    });
        });
    }

    /** Tells other nodes that this device parked anew; a bus failure must not fail the Ping itself. */
    private Mono<Void> announce(Park park) {
        DeviceKey device = park.request.device();
        return bus.publish(new BusEvent.DeviceParked(device.user(), device.deviceId(), park.id))
                .onErrorResume(e -> {
                    LOG.warn("cannot announce the park of user={} device={}: {}", device.user(), device.deviceId(),
                            e.toString());
                    return Mono.empty();
                });
    }

    /** Ends every parked request with {@link ParkOutcome.Reason#DRAINED}; later parks end at once. */
    public void drain() {
        draining.set(true);
        parked.values().forEach(park -> park.end(ParkOutcome.of(ParkOutcome.Reason.DRAINED)));
    }

    /** One parked request. */
    private static final class Park implements BusListener {
        private final ParkRequest request;
        private final String id;
        private final Sinks.One<ParkOutcome> outcome = Sinks.one();
        private volatile Disposable registration;
        private volatile long wakingEventPublishedAt;

        Park(ParkRequest request, String id) {
            this.request = request;
            this.id = id;
        }

        void registration(Disposable value) {
            this.registration = value;
        }

        void end(ParkOutcome result) {
            outcome.tryEmitValue(result); // the first cause wins; later ones are ignored
        }

        /** From the waking event's publication to now, or -1 when no timestamped event woke the park. */
        long latencyMillis() {
            long publishedAt = wakingEventPublishedAt;
            return publishedAt <= 0 ? -1 : Math.max(0, System.currentTimeMillis() - publishedAt);
        }

        void release() {
            Disposable current = registration;
            if (current != null) {
                current.dispose();
            }
        }

        Mono<ParkOutcome> outcome(ParkRequest request) {
            return Mono.firstWithValue(outcome.asMono(),
                    Mono.delay(request.heartbeat(), Schedulers.parallel())
                            .map(tick -> ParkOutcome.of(ParkOutcome.Reason.EXPIRED)));
        }

        @Override
        public void onEvent(BusEvent event) {
            if (event instanceof BusEvent.FolderChanged changed) {
                if (changed.madeBy(request.device().deviceId())) {
                    return; // the device's own write: nothing new to it (its next Sync would bring nothing)
                }
                if (changed.hierarchy()) {
                    wakingEventPublishedAt = changed.publishedAtMillis();
                    end(ParkOutcome.of(ParkOutcome.Reason.HIERARCHY_CHANGED));
                    return;
                }
                if (changed.folderId() == null) {
                    wakingEventPublishedAt = changed.publishedAtMillis();
                    end(new ParkOutcome(ParkOutcome.Reason.CHANGED, request.folderIds()));
                    return;
                }
                if (request.folderIds().contains(changed.folderId())) {
                    wakingEventPublishedAt = changed.publishedAtMillis();
                    end(new ParkOutcome(ParkOutcome.Reason.CHANGED, Set.of(changed.folderId())));
                }
            } else if (event instanceof BusEvent.DeviceParked other) {
                if (other.deviceId().equals(request.device().deviceId()) && !other.parkId().equals(id)) {
                    end(ParkOutcome.of(ParkOutcome.Reason.SUPERSEDED));
                }
            }
        }

        @Override
        public void onGap() {
            end(new ParkOutcome(ParkOutcome.Reason.BUS_GAP, request.folderIds()));
        }
    }
}
