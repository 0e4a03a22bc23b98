package dev.easgate.core.heartbeat;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.memory.MemoryBackend;
import dev.easgate.backends.redis.RedisChangeBus;
import dev.easgate.backends.redis.RedisServerProcess;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.server.Gateway;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Two gateway nodes sharing a real Redis (started on a free port) and one mail store: a device parked on node A
 * is woken by another device's write through node B; the same device re-pinging through B ends its park on A;
 * Redis restarted under parked devices wakes them all; publishing while parking never loses a wake-up.
 */
class TwoNodeRedisWakeTest {
    private static RedisServerProcess redis;
    private static Gateway nodeA;
    private static Gateway nodeB;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        GatewayConfig config = GatewayConfig.from(Map.of("port", "0", "heartbeat.min", "1",
                "redis", "redis://127.0.0.1:" + redis.port()));
        Clock clock = Clock.systemUTC();
        MemoryBackend sharedStore = Gateway.memoryBackend(config, clock);
        nodeA = Gateway.start(config, sharedStore, clock);
        nodeB = Gateway.start(config, sharedStore, clock);
    }

    @AfterAll
    static void stop() {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        redis.close();
    }

    private static EasTestClient client(Gateway node, String user, String deviceId) {
        return new EasTestClient(URI.create("http://127.0.0.1:" + node.port()), user, "demo", deviceId);
    }

    private static String inbox(String user) {
        return nodeA.services().mailStore().folders(user).filter(f -> f.type() == FolderType.INBOX)
                .map(Folder::id).blockFirst();
    }

    private static WbxmlElement sync(String key, String folderId) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> c
                .child("SyncKey", key).child("CollectionId", folderId))).build();
    }

    /** Syncs the Inbox to its current state through the given client. */
    private static void caughtUp(EasTestClient phone, String folderId) {
        String key = phone.post("Sync", sync("0", folderId)).body().child("Collections").child("Collection")
                .childText("SyncKey");
        for (int round = 0; round < 20; round++) {
            EasTestClient.Response next = phone.post("Sync", sync(key, folderId));
            if (next.body() == null) {
                return;
            }
            WbxmlElement collection = next.body().child("Collections").child("Collection");
            key = collection.childText("SyncKey");
            if (collection.child("MoreAvailable") == null) {
                return;
            }
        }
    }

    private static WbxmlElement ping(long heartbeat, String folderId) {
        return el(CodePage.PING, "Ping").child("HeartbeatInterval", heartbeat)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", folderId).child("Class", "Email")))
                .build();
    }

    private static void awaitParked(Gateway node, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (node.services().heartbeat().parked() != count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node.services().heartbeat().parked() + " parked, expected " + count);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void aDeviceParkedOnNodeAIsWokenByAnotherDevicesSendMailThroughNodeB() throws Exception {
        EasTestClient phone = client(nodeA, "alice", "phone-on-a");
        phone.provision();
        String inbox = inbox("alice");
        caughtUp(phone, inbox);

        CompletableFuture<EasTestClient.Response> parked = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", ping(600, inbox)));
        awaitParked(nodeA, 1);

        EasTestClient tablet = client(nodeB, "alice", "tablet-on-b"); // provisioned state lives in Redis
        tablet.provision();
        String mime = "To: alice@example.com\r\nSubject: note to self\r\n\r\nbuy milk\r\n";
        EasTestClient.Response sent = tablet.post("SendMail", el(CodePage.COMPOSE_MAIL, "SendMail")
                .child("ClientId", "note-1").empty("SaveInSentItems")
                .opaque("Mime", mime.getBytes(StandardCharsets.US_ASCII)).build());
        assertThat(sent.status()).isEqualTo(200);

        EasTestClient.Response woken = parked.get(10, TimeUnit.SECONDS);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").children("Folder")).extracting(WbxmlElement::text)
                .containsExactly(inbox);
    }

    @Test
    void theSameDeviceRePingingThroughNodeBEndsItsParkOnNodeA() throws Exception {
        EasTestClient onA = client(nodeA, "bob", "roaming-phone");
        onA.provision();
        String inbox = inbox("bob");
        caughtUp(onA, inbox);
        CompletableFuture<EasTestClient.Response> first = CompletableFuture.supplyAsync(
                () -> onA.post("Ping", ping(600, inbox)));
        awaitParked(nodeA, 1);

        EasTestClient onB = client(nodeB, "bob", "roaming-phone").policyKey(onA.policyKey());
        CompletableFuture<EasTestClient.Response> second = CompletableFuture.supplyAsync(
                () -> onB.post("Ping", ping(2, inbox)));

        assertThat(first.get(10, TimeUnit.SECONDS).text("Status")).isEqualTo("1");
        awaitParked(nodeA, 0);
        assertThat(second.get(10, TimeUnit.SECONDS).text("Status")).isEqualTo("1");
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

    private static void awaitBusConnected() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!nodeA.services().changeBus().connected() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(nodeA.services().changeBus().connected()).isTrue();
    }
}
