package dev.easgate.core.command.ping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ping over real HTTP: statuses 1 to 7 and the reuse of the last Ping. */
class PingIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("heartbeat.min", "120", "heartbeat.max", "1800",
                "ping.max-folders", "4"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static MailStore store() {
        return server.gateway().services().mailStore();
    }

    private static StateStore state() {
        return server.gateway().services().stateStore();
    }

    private static EasTestClient provisioned(String user, String deviceId) {
        return server.provisioned(user, deviceId);
    }

    private static String folderId(String user, String name) {
        return store().folders(user).filter(f -> f.name().equals(name)).map(Folder::id).blockFirst(WAIT);
    }

    /** Marks the folder as synced up to now for the device, as a Sync would. */
    private static void synced(String user, String deviceId, String folderId) {
        long now = store().changesSince(user, folderId, 0).block(WAIT).highestModSeq();
        state().replaceCollection(new DeviceKey(user, deviceId), folderId, null,
                new CollectionState("1", now, Map.of(), "0", new byte[0], new byte[0])).block(WAIT);
    }

    private static WbxmlElement ping(Long heartbeat, List<String> folderIds) {
        WbxmlElement.Builder ping = WbxmlElement.el(CodePage.PING, "Ping");
        if (heartbeat != null) {
            ping.child("HeartbeatInterval", heartbeat);
        }
        if (folderIds != null) {
            ping.child("Folders", f -> folderIds.forEach(id -> f.child("Folder",
                    x -> x.child("Id", id).child("Class", "Email"))));
        }
        return ping.build();
    }

    @Test
    void heartbeatOutOfBoundsGetsStatus5WithTheLimit() {
        EasTestClient client = provisioned("demo", "ping-5");
        String inbox = folderId("demo", "Inbox");
        EasTestClient.Response low = client.post("Ping", ping(30L, List.of(inbox)));
        assertThat(low.text("Status")).isEqualTo("5");
        assertThat(low.text("HeartbeatInterval")).isEqualTo("120");
        EasTestClient.Response high = client.post("Ping", ping(5000L, List.of(inbox)));
        assertThat(high.text("Status")).isEqualTo("5");
        assertThat(high.text("HeartbeatInterval")).isEqualTo("1800");
    }

    @Test
    void tooManyFoldersGetsStatus6() {
        EasTestClient client = provisioned("demo", "ping-6");
        List<String> ids = store().folders("demo").map(Folder::id).take(5).collectList().block(WAIT);
        EasTestClient.Response response = client.post("Ping", ping(300L, ids));
        assertThat(response.text("Status")).isEqualTo("6");
        assertThat(response.text("MaxFolders")).isEqualTo("4");
    }

    @Test
    void unknownFolderGetsStatus7() {
        EasTestClient client = provisioned("demo", "ping-7");
        assertThat(client.post("Ping", ping(300L, List.of("no-such-folder"))).text("Status")).isEqualTo("7");
    }

    @Test
    void emptyPingWithoutHistoryGetsStatus3AndMalformedGets4() {
        EasTestClient client = provisioned("demo", "ping-3");
        assertThat(client.post("Ping", null).text("Status")).isEqualTo("3");
        assertThat(client.post("Ping", ping(300L, null)).text("Status")).isEqualTo("3");
        assertThat(client.post("Ping", WbxmlElement.el(CodePage.PING, "Ping")
                .child("HeartbeatInterval", "later").build()).text("Status")).isEqualTo("4");
    }

    @Test
    void aParkedPingWakesWithStatus2ListingExactlyTheChangedFolder() throws Exception {
        EasTestClient client = provisioned("alice", "ping-2");
        String inbox = folderId("alice", "Inbox");
        String sent = folderId("alice", "Sent Items");
        synced("alice", "ping-2", inbox);
        synced("alice", "ping-2", sent);

        // nothing changed: the Ping parks (holding no thread) until a change arrives
        var parked = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> client.post("Ping", ping(300L, List.of(inbox, sent))));
        awaitParked(1);
        assertThat(state().device(new DeviceKey("alice", "ping-2")).block(WAIT).lastPing()).isNotNull();

        byte[] mime = "From: x@example.com\r\nTo: alice@example.com\r\nSubject: hi\r\n\r\nhello\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        store().add("alice", inbox, new ItemContent.Email(mime, EmailFlags.UNREAD)).block(WAIT);

        EasTestClient.Response changed = parked.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(changed.text("Status")).isEqualTo("2");
        assertThat(changed.body().child("Folders").children("Folder")).extracting(WbxmlElement::text)
                .containsExactly(inbox);

        // an empty Ping reuses the folders and heartbeat of the last one; the change is still unsynced
        EasTestClient.Response reused = client.post("Ping", null);
        assertThat(reused.text("Status")).isEqualTo("2");
        assertThat(reused.body().child("Folders").children("Folder")).extracting(WbxmlElement::text)
                .containsExactly(inbox);
    }

    private static void awaitParked(int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.gateway().services().heartbeat().parked() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no Ping parked within " + WAIT);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void anUnsyncedFolderCountsAsChangedOnlyWhenItHoldsSomething() {
        EasTestClient client = provisioned("bob", "ping-unsynced");
        String inbox = folderId("bob", "Inbox");
        String outbox = folderId("bob", "Outbox");
        EasTestClient.Response response = client.post("Ping", ping(300L, List.of(inbox, outbox)));
        assertThat(response.text("Status")).isEqualTo("2");
        assertThat(response.body().child("Folders").children("Folder")).extracting(WbxmlElement::text)
                .containsExactly(inbox);
    }
}
