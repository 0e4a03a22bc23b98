package dev.easgate.core.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.redis.RedisChangeBus;
import dev.easgate.backends.redis.RedisServerProcess;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.wbxml.WbxmlElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The two-node contract on a single real redis-server, plus what only a single server lets a test do: Redis
 * restarted under parked devices wakes them all with every folder; publishing while parking never loses a wake-up.
 */
class TwoNodeRedisWakeTest extends TwoNodeWakeContract {
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        startNodes("redis://127.0.0.1:" + redis.port());
    }

    @AfterAll
    static void stop() {
        stopNodes();
        redis.close();
    }

    @Test
    void redisRestartedUnderParkedDevicesWakesThemWithAllTheirFolders() throws Exception {
        awaitBusConnected();
        EasTestClient phone = client(nodeA, "demo", "outage-phone");
        EasTestClient late = client(nodeA, "demo", "outage-late");
        phone.provision();
        late.provision();
        String inbox = inbox("demo");
        caughtUp(phone, inbox);
        caughtUp(late, inbox);
        late.post("Ping", ping(1, inbox)); // the node now knows this device's record
        CompletableFuture<EasTestClient.Response> parked = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", ping(600, inbox)));
        awaitParked(nodeA, 1);
        Thread.sleep(200); // let the park finish its store check before Redis goes away

        redis.stop();
        CompletableFuture<EasTestClient.Response> parkedDuringOutage;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (nodeA.services().changeBus().connected() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(nodeA.services().changeBus().connected()).isFalse();
            // a new Ping during the outage still parks, from the node's last copy of the device
            parkedDuringOutage = CompletableFuture.supplyAsync(() -> late.post("Ping", ping(600, inbox)));
            awaitParked(nodeA, 2);
            assertThat(parked).isNotDone(); // parked devices keep their timers during the outage
        } finally {
            redis.restart();
        }

        for (CompletableFuture<EasTestClient.Response> response : List.of(parked, parkedDuringOutage)) {
            EasTestClient.Response woken = response.get(20, TimeUnit.SECONDS);
            assertThat(woken.text("Status")).isEqualTo("2");
            assertThat(woken.body().child("Folders").children("Folder")).extracting(WbxmlElement::text)
                    .containsExactly(inbox);
        }
        awaitBusConnected();
    }

    @Test
    void publishingWhileParkingNeverLosesAWakeUp() throws Exception {
        awaitBusConnected();
        HeartbeatHub hub = nodeA.services().heartbeat();
        RedisChangeBus publisher = RedisChangeBus.create("redis://127.0.0.1:" + redis.port());
        try {
            int iterations = 2000;
            List<Mono<ParkOutcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < iterations; i++) {
                DeviceKey device = new DeviceKey("race" + (i % 50), "device" + i);
                AtomicBoolean stored = new AtomicBoolean();
                // the "store" learns of the change before the event is published, as a real write does
                Mono<Void> change = Mono.fromRunnable(() -> stored.set(true))
                        .then(publisher.publish(new BusEvent.FolderChanged(device.user(), "f1", false)))
                        .subscribeOn(Schedulers.parallel());
                Mono<Set<String>> check = Mono.fromSupplier(() -> stored.get() ? Set.of("f1") : Set.<String>of());
                Mono<ParkOutcome> park = hub.park(new ParkRequest("Ping", device, Set.of("f1"),
                        Duration.ofSeconds(20), check));
                outcomes.add(Mono.zip(park, change.then(Mono.just(true))).map(t -> t.getT1()).cache());
            }
            for (int i = 0; i < iterations; i += 100) {
                List<Mono<ParkOutcome>> batch = outcomes.subList(i, Math.min(iterations, i + 100));
                List<ParkOutcome> results = reactor.core.publisher.Flux.merge(batch).collectList()
                        .block(Duration.ofSeconds(30));
                assertThat(results).hasSize(batch.size())
                        .allSatisfy(outcome -> assertThat(outcome.reason()).isEqualTo(ParkOutcome.Reason.CHANGED));
            }
        } finally {
            publisher.close();
        }
    }

}
