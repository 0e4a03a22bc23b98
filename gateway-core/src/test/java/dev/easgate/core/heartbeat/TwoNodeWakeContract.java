package dev.easgate.core.heartbeat;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.memory.MemoryBackend;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.server.Gateway;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two gateway nodes sharing one Redis deployment (a real server or cluster, started by the subclass) and one mail
 * store: a device parked on node A is woken by another device's write through node B; the same device re-pinging
 * through B ends its park on A.
 */
abstract class TwoNodeWakeContract {
    static Gateway nodeA;
    static Gateway nodeB;

    /** Starts both nodes on the given {@code --redis} value. */
    static void startNodes(String redisOption) {
        GatewayConfig config = GatewayConfig.from(Map.of("port", "0", "heartbeat.min", "1", "redis", redisOption));
        Clock clock = Clock.systemUTC();
        MemoryBackend sharedStore = Gateway.memoryBackend(config, clock);
        nodeA = Gateway.start(config, sharedStore, clock);
        nodeB = Gateway.start(config, sharedStore, clock);
    }

    static void stopNodes() {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
    }

    static EasTestClient client(Gateway node, String user, String deviceId) {
        return new EasTestClient(URI.create("http://127.0.0.1:" + node.port()), user, "demo", deviceId);
    }

    static String inbox(String user) {
        return nodeA.services().mailStore().folders(user).filter(f -> f.type() == FolderType.INBOX)
                .map(Folder::id).blockFirst();
    }

    static WbxmlElement sync(String key, String folderId) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> c
                .child("SyncKey", key).child("CollectionId", folderId))).build();
    }

    /** Syncs the Inbox to its current state through the given client. */
    static void caughtUp(EasTestClient phone, String folderId) {
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

    static WbxmlElement ping(long heartbeat, String folderId) {
        return el(CodePage.PING, "Ping").child("HeartbeatInterval", heartbeat)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", folderId).child("Class", "Email")))
                .build();
    }

    static void awaitParked(Gateway node, int count) throws InterruptedException {
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

    static void awaitBusConnected() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!nodeA.services().changeBus().connected() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(nodeA.services().changeBus().connected()).isTrue();
    }
}
