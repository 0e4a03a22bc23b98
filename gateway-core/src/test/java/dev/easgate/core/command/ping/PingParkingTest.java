package dev.easgate.core.command.ping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parked Pings over real HTTP: heartbeat expiry, a newer Ping ending the older, drain, and the parked cap. */
class PingParkingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("heartbeat.min", "1", "parked.max", "3"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String syncedInbox(String user, String deviceId) {
        var store = server.gateway().services().mailStore();
        String inbox = store.folders(user).filter(f -> f.name().equals("Inbox")).map(Folder::id).blockFirst(WAIT);
        long now = store.changesSince(user, inbox, 0).block(WAIT).highestModSeq();
        server.gateway().services().stateStore().replaceCollection(new DeviceKey(user, deviceId), inbox, null,
                new CollectionState("1", now, Map.of(), "0", new byte[0], new byte[0])).block(WAIT);
        return inbox;
    }

    private static WbxmlElement ping(long heartbeat, String folderId) {
        return WbxmlElement.el(CodePage.PING, "Ping").child("HeartbeatInterval", heartbeat)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", folderId).child("Class", "Email")))
                .build();
    }

    private static void awaitParked(int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.gateway().services().heartbeat().parked() != count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(server.gateway().services().heartbeat().parked() + " parked, not " + count);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aQuietPingAnswersStatus1WhenItsHeartbeatExpires() {
        EasTestClient phone = server.client("demo", "park-expiry");
        phone.provision();
        String inbox = syncedInbox("demo", "park-expiry");

        assertThat(phone.post("Ping", ping(1, inbox)).text("Status")).isEqualTo("1");
    }

    @Test
    void aNewerPingOfTheSameDeviceEndsTheOlderOneAtOnce() throws Exception {
        EasTestClient phone = server.client("bob", "park-twice");
        phone.provision();
        String inbox = syncedInbox("bob", "park-twice");

        CompletableFuture<EasTestClient.Response> older = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", ping(600, inbox)));
        awaitParked(1);
        CompletableFuture<EasTestClient.Response> newer = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", ping(600, inbox)));

        assertThat(older.get(10, TimeUnit.SECONDS).text("Status")).isEqualTo("1");
        awaitParked(1);
        assertThat(newer.isDone()).isFalse();
        // a third, short Ping ends the second and then expires itself
        assertThat(phone.post("Ping", ping(1, inbox)).text("Status")).isEqualTo("1");
        assertThat(newer.get(10, TimeUnit.SECONDS).text("Status")).isEqualTo("1");
    }

    @Test
    void beyondTheParkedCapANodeAnswers503WithRetryAfter() throws Exception {
        List<CompletableFuture<EasTestClient.Response>> parked = new java.util.ArrayList<>();
        awaitParked(0);
        for (int i = 0; i < 3; i++) {
            EasTestClient phone = server.client("alice", "cap-" + i);
            phone.provision();
            String inbox = syncedInbox("alice", "cap-" + i);
            parked.add(CompletableFuture.supplyAsync(() -> phone.post("Ping", ping(30, inbox))));
            awaitParked(i + 1);
        }
        EasTestClient fourth = server.client("alice", "cap-3");
        fourth.provision();
        EasTestClient.Response refused = fourth.post("Ping", ping(30, syncedInbox("alice", "cap-3")));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isNotBlank();

        // a node that drains answers its parked Pings at once
        server.gateway().services().heartbeat().drain();
        for (CompletableFuture<EasTestClient.Response> response : parked) {
            assertThat(response.get(10, TimeUnit.SECONDS).text("Status")).isEqualTo("1");
        }
    }

    @Test
    void aStoppingNodeAnswersItsParkedPingsAtOnce() throws Exception {
        GatewayTestServer stopping = GatewayTestServer.start(Map.of("shutdown.grace", "5"));
        EasTestClient phone = stopping.client("demo", "drain-phone");
        phone.provision();
        var store = stopping.gateway().services().mailStore();
        String inbox = store.folders("demo").filter(f -> f.name().equals("Inbox")).map(Folder::id).blockFirst(WAIT);
        long now = store.changesSince("demo", inbox, 0).block(WAIT).highestModSeq();
        stopping.gateway().services().stateStore().replaceCollection(new DeviceKey("demo", "drain-phone"), inbox,
                null, new CollectionState("1", now, Map.of(), "0", new byte[0], new byte[0])).block(WAIT);
        CompletableFuture<EasTestClient.Response> parked = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", ping(3000, inbox)));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (stopping.gateway().services().heartbeat().parked() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        stopping.close(); // what SIGTERM runs

        assertThat(parked.get(10, TimeUnit.SECONDS).text("Status")).isEqualTo("1");
    }
}
