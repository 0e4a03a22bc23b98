package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A Sync with HeartbeatInterval parks like a Ping and answers with the changes themselves when woken. */
class SyncWaitParkingTest {
    private static GatewayTestServer server;
    private static MailStore store;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("heartbeat.min", "1"));
        store = server.gateway().services().mailStore();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WbxmlElement sync(String key, String collectionId, Integer heartbeat) {
        WbxmlElement.Builder sync = WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                .child("Collections", cs -> cs.child("Collection", c -> c
                        .child("SyncKey", key).child("CollectionId", collectionId)));
        if (heartbeat != null) {
            sync.child("HeartbeatInterval", heartbeat);
        }
        return sync.build();
    }

    /** Syncs the folder to its current state; returns the key. */
    private static String caughtUp(EasTestClient phone, String folderId) {
        String key = phone.post("Sync", sync("0", folderId, null)).body().child("Collections")
                .child("Collection").childText("SyncKey");
        while (true) {
            EasTestClient.Response next = phone.post("Sync", sync(key, folderId, null));
            if (next.body() == null) {
                return key;
            }
            WbxmlElement collection = next.body().child("Collections").child("Collection");
            key = collection.childText("SyncKey");
            if (collection.child("MoreAvailable") == null) {
                return key;
            }
        }
    }

    private static void awaitParked() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.gateway().services().heartbeat().parked("Sync") < 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no Sync parked");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aParkedSyncAnswersWithTheNewMailItself() throws Exception {
        EasTestClient phone = server.client("alice", "longsync");
        phone.provision();
        Folder inbox = store.folders("alice").filter(f -> f.type() == FolderType.INBOX).blockFirst();
        String key = caughtUp(phone, inbox.id());

        CompletableFuture<EasTestClient.Response> waiting = CompletableFuture.supplyAsync(
                () -> phone.post("Sync", sync(key, inbox.id(), 600)));
        awaitParked();
        String mime = "From: bob@example.com\r\nTo: alice@example.com\r\nSubject: news\r\n\r\nhello\r\n";
        store.add("alice", inbox.id(), new ItemContent.Email(mime.getBytes(StandardCharsets.US_ASCII),
                EmailFlags.UNREAD)).block();

        EasTestClient.Response woken = waiting.get(10, TimeUnit.SECONDS);
        WbxmlElement collection = woken.body().child("Collections").child("Collection");
        assertThat(collection.child("Commands").children("Add")).hasSize(1);
        assertThat(collection.childText("SyncKey")).isNotEqualTo(key);
    }

    @Test
    void aQuietSyncAnswersEmptyWhenItsHeartbeatEnds() {
        EasTestClient phone = server.client("bob", "longsync-quiet");
        phone.provision();
        Folder contacts = store.folders("bob").filter(f -> f.type() == FolderType.CONTACTS).blockFirst();
        String key = caughtUp(phone, contacts.id());

        EasTestClient.Response quiet = phone.post("Sync", sync(key, contacts.id(), 1));
        assertThat(quiet.status()).isEqualTo(200);
        assertThat(quiet.body()).isNull();
    }
}
