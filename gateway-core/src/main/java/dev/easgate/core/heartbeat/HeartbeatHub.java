package dev.easgate.core.heartbeat;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.BusListener;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ParkedUsers;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.logging.RequestMdc;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.util.Collections;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Parks requests without holding a thread. A parked request is one small object ended by whichever comes first: a
 * bus event for a watched folder, its heartbeat in the shared timer wheel, a newer park of the same device (here or
 * on another node, learnt through the bus), a bus gap, or {@link #drain()}.
 *
 * <p>It is also the node's {@link ParkedUsers} view (who is parked here, watching which folders), kept on park and
 * unpark, for the fallback watchers of stores that cannot push.
 */
public final class HeartbeatHub implements ParkedUsers {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatHub.class);

    private final ChangeBus bus;
    /**
     * The parks of each user parked here, newest first, chained through {@link Park#next}: one map entry per parked
     * user is all the hub keeps beside the parks (no map by device, no table of watched folders; both are found by
     * walking the user's few parks). A chain is changed and read only inside the map's compute for its user.
     */
    private final ConcurrentHashMap<String, Park> users = new ConcurrentHashMap<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger parkedCount = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> parkedByCommand = new ConcurrentHashMap<>();
    private final WakeObserver observer;
    /** The heartbeats of every park: one wheel, not a scheduled task each. */
    private final Timer timer;

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
        this(bus, observer, HeartbeatWheel.shared());
    }

    /** With the timer that ends the heartbeats ({@link HeartbeatWheel#shared()} in production). */
    HeartbeatHub(ChangeBus bus, WakeObserver observer, Timer timer) {
        this.bus = bus;
        this.observer = observer;
        this.timer = timer;
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
        return Collections.unmodifiableSet(users.keySet());
    }

    @Override
    public Set<String> parkedFolders(String user) {
        Set<String> folders = new HashSet<>();
        users.computeIfPresent(user, (u, head) -> {
            for (Park park = head; park != null; park = park.next) {
                folders.addAll(park.folderIds);
            }
            return head;
        });
        return Set.copyOf(folders);
    }

    /** Adds {@code park} to its user's chain; returns the same device's park it supersedes, or null. */
    private Park link(Park park) {
        Park[] superseded = new Park[1];
        users.compute(park.device.user(), (u, head) -> {
            for (Park other = head; other != null; other = other.next) {
                if (other.device.deviceId().equals(park.device.deviceId())) {
                    superseded[0] = other; // ended (and unlinked) by the caller, outside this compute
                    break;
                }
            }
            park.next = head;
            return park;
        });
        return superseded[0];
    }

    /** Takes {@code park} out of its user's chain; the user's entry goes with their last park. */
    private void unlink(Park park) {
        users.computeIfPresent(park.device.user(), (u, head) -> {
            if (head == park) {
                return park.next;
            }
            for (Park previous = head; previous.next != null; previous = previous.next) {
                if (previous.next == park) {
                    previous.next = park.next;
                    break;
                }
            }
            return head;
        });
    }

    /** Parks until the outcome; cancelling the returned Mono (the client went away) unparks cleanly. */
    public Mono<ParkOutcome> park(ParkRequest request) {
        return Mono.create(sink -> {
            // whoever wakes it, the parked request goes on with its own log tags
            RequestMdc.Tags tags = RequestMdc.of(sink.contextView());
            sink.onCancel(hold(request, sink.contextView(), new ParkListener() {
                @Override
                public void ended(ParkOutcome outcome) {
                    try (RequestMdc.Scope scope = RequestMdc.open(tags)) {
                        sink.success(outcome);
                    }
                }

                @Override
                public void failed(Throwable error) {
                    try (RequestMdc.Scope scope = RequestMdc.open(tags)) {
                        sink.error(error);
                    }
                }
            }));
        });
    }

    /**
     * Parks without a Reactor chain: what a parked request costs is one {@link Park} (in the hub's map, on the
     * bus and in the heartbeat timer's wheel) and whatever {@code listener} keeps. {@code listener} is told the
     * outcome once, possibly before this returns; disposing the returned handle (the client went away) unparks
     * without telling it. {@code request.checkStore()} runs once the bus delivers to the park, with {@code context}
     * (the request's: its {@link ParkSignal}, its log tags), and is let go after.
     */
    public Disposable hold(ParkRequest request, ContextView context, ParkListener listener) {
        ParkSignal signal = context.getOrDefault(ParkSignal.class, ParkSignal.NONE);
        if (draining.get()) {
            listener.ended(ParkOutcome.of(ParkOutcome.Reason.DRAINED));
            return Disposables.disposed();
        }
        AtomicInteger byCommand = parkedByCommand.computeIfAbsent(request.command(), c -> new AtomicInteger());
        Park park = new Park(request.device(), request.folderIds(), byCommand, signal, listener);
        parkedCount.incrementAndGet();
        signal.parked();
        byCommand.incrementAndGet();
        Park previous = link(park);
        if (previous != null) {
            previous.end(ParkOutcome.of(ParkOutcome.Reason.SUPERSEDED));
        }
        park.timeout(timer.newTimeout(park, request.heartbeat().toMillis(), TimeUnit.MILLISECONDS));
        Mono<Set<String>> check = request.checkStore();
        bus.listen(request.device().user(), park).subscribe(registration -> {
            if (park.registered(registration)) {
                announce(park).then(check).contextWrite(context).subscribe(changed -> {
                    if (!changed.isEmpty()) {
                        park.end(new ParkOutcome(ParkOutcome.Reason.CHANGED, changed));
                    }
                }, park::fail);
            }
        }, park::fail);
        return park;
    }

    /** Tells other nodes that this device parked anew; a bus failure must not fail the Ping itself. */
    private Mono<Void> announce(Park park) {
        DeviceKey device = park.device;
        return bus.publish(new BusEvent.DeviceParked(device.user(), device.deviceId(), park.id()))
                .onErrorResume(e -> {
                    LOG.warn("cannot announce the park of user={} device={}: {}", device.user(), device.deviceId(),
                            e.toString());
                    return Mono.empty();
                });
    }

    /** Ends every parked request with {@link ParkOutcome.Reason#DRAINED}; later parks end at once. */
    public void drain() {
        draining.set(true);
        List<Park> all = new ArrayList<>();
        for (String user : users.keySet()) {
            users.computeIfPresent(user, (u, head) -> {
                for (Park park = head; park != null; park = park.next) {
                    all.add(park);
                }
                return head;
            });
        }
        all.forEach(park -> park.end(ParkOutcome.of(ParkOutcome.Reason.DRAINED)));
    }

    /**
     * One parked request, all of it: its device and watched folders, its place in its user's chain, on the bus and in
     * the timer wheel, and whom to tell. The park id is a random number, written out only when announced or compared.
     */
    private final class Park implements BusListener, TimerTask, Disposable {
        private static final int PARKED = 0;
        private static final int ENDED = 1;
        private static final AtomicIntegerFieldUpdater<Park> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Park.class, "state");

        private final DeviceKey device;
        private final Set<String> folderIds;
        private final AtomicInteger byCommand;
        private final ParkSignal signal;
        private final ParkListener listener;
        private final long id = ThreadLocalRandom.current().nextLong();
        private volatile int state;
        private volatile Disposable registration;
        private volatile Timeout timeout;
        private volatile long wakingEventPublishedAt;
        /** The user's next park in {@link #users}: read and written only inside that map's compute for the user. */
        private Park next;

        Park(DeviceKey device, Set<String> folderIds, AtomicInteger byCommand, ParkSignal signal,
             ParkListener listener) {
            this.device = device;
            this.folderIds = folderIds;
            this.byCommand = byCommand;
            this.signal = signal;
            this.listener = listener;
        }

        String id() {
            return Long.toHexString(id);
        }

        /** Keeps the bus registration; false (and disposed) when the park has ended meanwhile. */
        boolean registered(Disposable value) {
            registration = value;
            if (state == ENDED) {
                value.dispose(); // disposing is idempotent: end() may have disposed it too
                return false;
            }
            return true;
        }

        void timeout(Timeout value) {
            timeout = value;
            if (state == ENDED) {
                value.cancel();
            }
        }

        /** The first cause wins; later ones are ignored. */
        void end(ParkOutcome outcome) {
            if (unpark()) {
                observer.woke(outcome, outcome.reason() == ParkOutcome.Reason.CHANGED
                        || outcome.reason() == ParkOutcome.Reason.HIERARCHY_CHANGED ? latencyMillis() : -1);
                listener.ended(outcome);
            }
        }

        void fail(Throwable error) {
            if (unpark()) {
                listener.failed(error);
            }
        }

        /** Cancelled: the client went away. */
        @Override
        public void dispose() {
            unpark();
        }

        @Override
        public boolean isDisposed() {
            return state == ENDED;
        }

        private boolean unpark() {
            if (!STATE.compareAndSet(this, PARKED, ENDED)) {
                return false;
            }
            Timeout pending = timeout;
            if (pending != null) {
                pending.cancel();
            }
            Disposable current = registration;
            if (current != null) {
                current.dispose();
            }
            signal.unparked();
            byCommand.decrementAndGet();
            unlink(this);
            parkedCount.decrementAndGet();
            return true;
        }

        /** From the waking event's publication to now, or -1 when no timestamped event woke the park. */
        long latencyMillis() {
            long publishedAt = wakingEventPublishedAt;
            return publishedAt <= 0 ? -1 : Math.max(0, System.currentTimeMillis() - publishedAt);
        }

        /** The heartbeat ran out. */
        @Override
        public void run(Timeout expired) {
            end(ParkOutcome.of(ParkOutcome.Reason.EXPIRED));
        }

        @Override
        public void onEvent(BusEvent event) {
            if (event instanceof BusEvent.FolderChanged changed) {
                if (changed.madeBy(device.deviceId())) {
                    return; // the device's own write: nothing new to it (its next Sync would bring nothing)
                }
                if (changed.hierarchy()) {
                    wakingEventPublishedAt = changed.publishedAtMillis();
                    end(ParkOutcome.of(ParkOutcome.Reason.HIERARCHY_CHANGED));
                    return;
                }
                if (changed.folderId() == null) {
                    wakingEventPublishedAt = changed.publishedAtMillis();
                    end(new ParkOutcome(ParkOutcome.Reason.CHANGED, folderIds));
                    return;
                }
                if (folderIds.contains(changed.folderId())) {
                    wakingEventPublishedAt = changed.publishedAtMillis();
                    end(new ParkOutcome(ParkOutcome.Reason.CHANGED, Set.of(changed.folderId())));
                }
            } else if (event instanceof BusEvent.DeviceParked other) {
                if (other.deviceId().equals(device.deviceId()) && !other.parkId().equals(id())) {
                    end(ParkOutcome.of(ParkOutcome.Reason.SUPERSEDED));
                }
            }
        }

        @Override
        public void onGap() {
            end(new ParkOutcome(ParkOutcome.Reason.BUS_GAP, folderIds));
        }
    }
}
