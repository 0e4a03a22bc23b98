package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A folder another user shares, end to end on a real Dovecot with the acl plugins: shared while the phone is
 * connected, it shows in the next FolderSync (type 12, named after its owner); Sync reads it; a change the user's
 * rights do not allow is answered status 6 and the item goes back to the phone as it is; a delivery into it wakes a
 * parked Ping (the change watcher's STATUS polls).
 */
class ImapSharedFoldersGatewayTest {
    private static DovecotProcess dovecot;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start(DovecotProcess.Options.ACL);
        server = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "heartbeat.min", "1", "watcher.interval", "1"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, dovecot);
    }

    @Test
    void aFolderSharedMidSessionSyncsRefusesChangesAndWakesAPing() throws Exception {
        String owner = dovecot.nextUser();
        String user = dovecot.nextUser();
        EasTestClient phone = server.client(user, DovecotProcess.PASSWORD, "SHAREDPHONE1").protocolVersion("14.1");
        assertThat(phone.provision().status()).isEqualTo(200);
        WbxmlElement first = folderSync(phone, "0");
        assertThat(first.child("Changes").children("Add")).noneMatch(add -> add.childText("DisplayName")
                .startsWith(owner + "/"));
        // the phone's own Sync of its Inbox: the gateway now holds a pooled IMAP session of the user
        String inbox = first.child("Changes").children("Add").stream().filter(a -> a.childText("Type").equals("2"))
                .findFirst().orElseThrow().childText("ServerId");
        String inboxKey = phone.syncCollection("0", inbox, null).childText("SyncKey");
        assertThat(phone.post("Sync", sync(inbox, inboxKey, null)).status()).isEqualTo(200);

        dovecot.share(owner, "Projects", user, "lr");
        append(owner, "Projects", "the plan");

        // FolderSync with the current key: the share made while the phone was connected is an Add
        WbxmlElement second = folderSync(phone, first.childText("SyncKey"));
        assertThat(second.childText("Status")).isEqualTo("1");
        List<WbxmlElement> adds = second.child("Changes").children("Add");
        assertThat(adds).hasSize(1);
        WbxmlElement shared = adds.get(0);
        assertThat(shared.childText("DisplayName")).isEqualTo(owner + "/Projects");
        assertThat(shared.childText("Type")).isEqualTo("12");
        assertThat(shared.childText("ParentId")).isEqualTo("0");
        String folderId = shared.childText("ServerId");

        // Sync reads it
        String key = phone.syncCollection("0", folderId, null).childText("SyncKey");
        WbxmlElement firstPage = phone.post("Sync", sync(folderId, key, null)).body().child("Collections")
                .child("Collection");
        List<WbxmlElement> added = firstPage.child("Commands").children("Add");
        assertThat(added).hasSize(1);
        String itemId = added.get(0).childText("ServerId");
        assertThat(added.get(0).child("ApplicationData").childText("Email:Subject")).isEqualTo("the plan");
        assertThat(added.get(0).child("ApplicationData").childText("Email:Read")).isEqualTo("0");

        // read-only (lr): marking it read is refused with status 6 and the item comes back unread
        WbxmlElement refused = phone.post("Sync", sync(folderId, firstPage.childText("SyncKey"), c -> c
                .child("Change", ch -> ch.child("ServerId", itemId)
                        .child("ApplicationData", a -> a.child("Email:Read", "1"))))).body()
                .child("Collections").child("Collection");
        assertThat(refused.childText("Status")).isEqualTo("1");
        WbxmlElement response = refused.child("Responses").child("Change");
        assertThat(response.childText("ServerId")).isEqualTo(itemId);
        assertThat(response.childText("Status")).isEqualTo("6");
        WbxmlElement resent = refused.child("Commands").child("Change");
        assertThat(resent.childText("ServerId")).isEqualTo(itemId);
        assertThat(resent.child("ApplicationData").childText("Email:Read")).isEqualTo("0");
        // sent once: the next Sync has nothing
        Response after = phone.post("Sync", sync(folderId, refused.childText("SyncKey"), null));
        assertThat(after.body() == null || after.body().child("Collections").child("Collection")
                .child("Commands") == null).isTrue();

        // a delivery into the shared folder wakes a Ping on it
        CompletableFuture<Response> ping = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                el(CodePage.PING, "Ping").child("HeartbeatInterval", 120).child("Folders", f -> f
                        .child("Folder", x -> x.child("Id", folderId).child("Class", "Email"))).build()));
        awaitParked();
        append(owner, "Projects", "an update");
        Response woken = ping.get(20, TimeUnit.SECONDS);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(folderId);
    }

    private static WbxmlElement folderSync(EasTestClient phone, String key) {
        return phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", key).build())
                .body();
    }

    private static WbxmlElement sync(String collectionId, String key,
                                     Consumer<WbxmlElement.Builder> commands) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId).child("GetChanges", "1")
                    .child("WindowSize", 50);
            if (commands != null) {
                c.child("Commands", commands);
            }
        })).build();
    }

    private static void append(String owner, String mailbox, String subject) {
        String message = "From: Owner <owner@example.org>\r\nTo: team@example.test\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + UUID.randomUUID() + "@example.org>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\nShared, not owned.\r\n";
        int length = message.getBytes(StandardCharsets.UTF_8).length;
        // LITERAL+ (RFC 7888): the message follows the command without waiting for a continuation
        dovecot.imap(owner, "APPEND \"" + mailbox + "\" {" + length + "+}\r\n" + message);
    }

    private static void awaitParked() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.gateway().services().heartbeat().parked() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.gateway().services().heartbeat().parked()).isEqualTo(1);
    }
}
