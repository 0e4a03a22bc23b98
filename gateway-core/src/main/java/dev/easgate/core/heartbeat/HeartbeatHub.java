package dev.easgate.core.heartbeat;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.BusListener;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.state.DeviceKey;
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
 */
public final class HeartbeatHub {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatHub.class);

    private final ChangeBus bus;
    private final ConcurrentHashMap<DeviceKey, Park> parked = new ConcurrentHashMap<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger parkedCount = new AtomicInteger();

    public HeartbeatHub(ChangeBus bus) {
        this.bus = bus;
    }

    /** Requests parked on this node now. */
    public int parked() {
        return parkedCount.get();
    }

    /** Parks until the outcome; cancelling the returned Mono (the client went away) unparks cleanly. */
    public Mono<ParkOutcome> park(ParkRequest request) {
        return Mono.defer(() -> {
            if (draining.get()) {
                return Mono.just(ParkOutcome.of(ParkOutcome.Reason.DRAINED));
            }
            Park park = new Park(request, UUID.randomUUID().toString());
            Park previous = parked.put(request.device(), park);
            if (previous != null) {
                previous.end(ParkOutcome.of(ParkOutcome.Reason.SUPERSEDED));
            }
            parkedCount.incrementAndGet();
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
                    .doFinally(signal -> {
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
                if (changed.hierarchy()) {
                    end(ParkOutcome.of(ParkOutcome.Reason.HIERARCHY_CHANGED));
                    return;
                }
                if (changed.folderId() == null) {
                    end(new ParkOutcome(ParkOutcome.Reason.CHANGED, request.folderIds()));
                    return;
                }
                if (request.folderIds().contains(changed.folderId())) {
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
