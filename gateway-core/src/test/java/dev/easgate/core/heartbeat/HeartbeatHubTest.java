package dev.easgate.core.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.InProcessChangeBus;
import dev.easgate.backends.state.DeviceKey;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class HeartbeatHubTest {
    private static final DeviceKey PHONE = new DeviceKey("alice", "PHONE1");
    private static final Duration HEARTBEAT = Duration.ofSeconds(480);

    private final InProcessChangeBus bus = new InProcessChangeBus();
    private final HeartbeatHub hub = new HeartbeatHub(bus, HeartbeatHub.WakeObserver.NONE, new SchedulerTimer());

    private static ParkRequest request(DeviceKey device, Set<String> folders, Mono<Set<String>> check) {
        return new ParkRequest("Ping", device, folders, HEARTBEAT, check);
    }

    @Test
    void expiresAfterTheHeartbeatWithoutHoldingAThread() {
        StepVerifier.withVirtualTime(() -> hub.park(request(PHONE, Set.of("f1"), Mono.just(Set.of()))))
                .expectSubscription()
                .expectNoEvent(HEARTBEAT.minusSeconds(1))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(outcome -> assertThat(outcome.reason()).isEqualTo(ParkOutcome.Reason.EXPIRED))
                .verifyComplete();
        assertThat(hub.parked()).isZero();
        assertThat(bus.listenedUsers()).isZero();
    }

    @Test
    void wakesOnAChangeOfAWatchedFolderOnly() {
        StepVerifier.withVirtualTime(() -> hub.park(request(PHONE, Set.of("f1", "f2"), Mono.just(Set.of()))))
                .expectSubscription()
                .then(() -> bus.publish(new BusEvent.FolderChanged("alice", "f9", false)).block())
                .then(() -> bus.publish(new BusEvent.FolderChanged("bob", "f1", false)).block())
                .expectNoEvent(Duration.ofSeconds(10))
                .then(() -> bus.publish(new BusEvent.FolderChanged("alice", "f2", false)).block())
                .assertNext(outcome -> {
                    assertThat(outcome.reason()).isEqualTo(ParkOutcome.Reason.CHANGED);
                    assertThat(outcome.changedFolders()).containsExactly("f2");
                })
                .verifyComplete();
    }

    @Test
    void theParkedUsersViewFollowsParksAndUnparks() {
        reactor.core.Disposable ping = hub.park(request(PHONE, Set.of("f1", "f2"), Mono.just(Set.of()))).subscribe();
        reactor.core.Disposable sync = hub.park(request(new DeviceKey("alice", "TABLET"), Set.of("f2", "f3"),
                Mono.just(Set.of()))).subscribe();
        assertThat(hub.parkedUsers()).containsExactly("alice");
        assertThat(hub.parkedFolders("alice")).containsExactlyInAnyOrder("f1", "f2", "f3");
        assertThat(hub.parkedFolders("bob")).isEmpty();

        ping.dispose();
        assertThat(hub.parkedFolders("alice")).containsExactlyInAnyOrder("f2", "f3");
        sync.dispose();
        assertThat(hub.parkedUsers()).isEmpty();
        assertThat(hub.parkedFolders("alice")).isEmpty();
    }

    @Test
    void aChangeSeenByTheStoreCheckAnswersAtOnce() {
        StepVerifier.withVirtualTime(() -> hub.park(request(PHONE, Set.of("f1"), Mono.just(Set.of("f1")))))
                .expectSubscription()
                .assertNext(outcome -> assertThat(outcome.changedFolders()).containsExactly("f1"))
                .verifyComplete();
    }

    @Test
    void aChangePublishedDuringTheStoreCheckIsNotLost() {
        // the store check runs after the bus registration: an event it races with is still delivered
        Mono<Set<String>> checkThatRaces = Mono.defer(() ->
                bus.publish(new BusEvent.FolderChanged("alice", "f1", false)).thenReturn(Set.<String>of()));
        StepVerifier.withVirtualTime(() -> hub.park(request(PHONE, Set.of("f1"), checkThatRaces)))
                .expectSubscription()
                .assertNext(outcome -> assertThat(outcome.reason()).isEqualTo(ParkOutcome.Reason.CHANGED))
                .verifyComplete();
    }

    @Test
    void aNewerParkOfTheSameDeviceEndsTheOlderOne() {
        AtomicReference<ParkOutcome> first = new AtomicReference<>();
        hub.park(request(PHONE, Set.of("f1"), Mono.just(Set.of()))).subscribe(first::set);
        assertThat(hub.parked()).isEqualTo(1);

        StepVerifier.withVirtualTime(() -> hub.park(request(PHONE, Set.of("f1"), Mono.just(Set.of()))))
                .expectSubscription()
                .then(() -> assertThat(first.get().reason()).isEqualTo(ParkOutcome.Reason.SUPERSEDED))
                .thenAwait(HEARTBEAT)
                .assertNext(outcome -> assertThat(outcome.reason()).isEqualTo(ParkOutcome.Reason.EXPIRED))
                .verifyComplete();
    }

    @Test
    void aParkAnnouncedByAnotherNodeEndsThisOne() {
        StepVerifier.withVirtualTime(() -> hub.park(request(PHONE, Set.of("f1"), Mono.just(Set.of()))))
                .expectSubscription()
                .then(() -> bus.publish(new BusEvent.DeviceParked("alice", "PHONE1", "other-node-park")).block())
                .assertNext(outcome -> assertThat(outcome.reason()).isEqualTo(ParkOutcome.Reason.SUPERSEDED))
                .verifyComplete();
    }

    @Test
    void aHierarchyChangeAndABusGapWake() {
        StepVerifier.withVirtualTime(() -> hub.park(request(PHONE, Set.of("f1"), Mono.just(Set.of()))))
                .expectSubscription()
                .then(() -> bus.publish(new BusEvent.FolderChanged("alice", "f7", true)).block())
                .assertNext(outcome -> assertThat(outcome.reason()).isEqualTo(ParkOutcome.Reason.HIERARCHY_CHANGED))
                .verifyComplete();
    }

    @Test
    void drainEndsEveryParkAndRefusesNewOnes() {
        AtomicReference<ParkOutcome> first = new AtomicReference<>();
        hub.park(request(PHONE, Set.of("f1"), Mono.just(Set.of()))).subscribe(first::set);
        hub.drain();
        assertThat(first.get().reason()).isEqualTo(ParkOutcome.Reason.DRAINED);
        StepVerifier.create(hub.park(request(new DeviceKey("bob", "P2"), Set.of("f1"), Mono.just(Set.of()))))
                .assertNext(outcome -> assertThat(outcome.reason()).isEqualTo(ParkOutcome.Reason.DRAINED))
                .verifyComplete();
    }

    @Test
    void cancellingAParkReleasesItsSubscription() {
        var subscription = hub.park(request(PHONE, Set.of("f1"), Mono.just(Set.of()))).subscribe();
        assertThat(bus.listenedUsers()).isEqualTo(1);
        subscription.dispose();
        assertThat(bus.listenedUsers()).isZero();
        assertThat(hub.parked()).isZero();
    }
}
