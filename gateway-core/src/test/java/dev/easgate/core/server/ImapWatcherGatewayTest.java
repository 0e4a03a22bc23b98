package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.imap.ImapChangeWatcher;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fallback watcher on a real Dovecot without push (no push plugin, no push.token): a parked Ping wakes through
 * {@code STATUS (HIGHESTMODSEQ)} polls every second; users without a parked device are never polled.
 */
class ImapWatcherGatewayTest {
    private static DovecotProcess dovecot;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start(); // no push-notification plugin
        server = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "heartbeat.min", "1", "watcher.interval", "1"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (dovecot != null) {
            dovecot.close();
        }
    }

    private static ImapChangeWatcher watcher() {
        return server.gateway().services().resources().stream().filter(ImapChangeWatcher.class::isInstance)
                .map(ImapChangeWatcher.class::cast).findFirst().orElseThrow();
    }

    /** Provisions, lists folders and syncs the Inbox once; returns the Inbox id. */
    private static String syncedInbox(EasTestClient phone) {
        assertThat(phone.provision().status()).isEqualTo(200);
        WbxmlElement folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        String inbox = null;
        for (WbxmlElement add : folders.child("Changes").children("Add")) {
            if (add.childText("Type").equals("2")) {
                inbox = add.childText("ServerId");
            }
        }
        assertThat(inbox).isNotNull();
        String key = collection(phone.post("Sync", sync(inbox, "0"))).childText("SyncKey");
        phone.post("Sync", sync(inbox, key));
        return inbox;
    }

    private static WbxmlElement sync(String collectionId, String key) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId);
            if (!key.equals("0")) {
                c.child("GetChanges", "1").child("WindowSize", 50);
            }
        })).build();
    }

    private static WbxmlElement collection(Response sync) {
        return sync.body().child("Collections").child("Collection");
    }

    private static byte[] mail(String subject) {
        return ("From: Carol <carol@example.org>\r\nTo: someone@example.test\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + UUID.randomUUID() + "@example.org>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\nPolled, not pushed.\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aParkedPingWakesThroughStatusPollsAndUnparkedUsersAreNotPolled() throws Exception {
        String parkedUser = dovecot.nextUser();
        String idleUser = dovecot.nextUser();
        EasTestClient phone = server.client(parkedUser, DovecotProcess.PASSWORD, "POLLPHONE1").protocolVersion("14.1");
        EasTestClient other = server.client(idleUser, DovecotProcess.PASSWORD, "POLLPHONE2").protocolVersion("14.1");
        String inbox = syncedInbox(phone);
        syncedInbox(other);
        ImapChangeWatcher watcher = watcher();

        // both users are known to the node (logged in, folders listed) but nobody is parked: no STATUS at all
        dovecot.deliver(idleUser, mail("to the idle user"));
        Thread.sleep(1500);
        assertThat(watcher.statusCommands()).isZero();
        assertThat(watcher.checks()).isZero();

        CompletableFuture<Response> ping = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                el(CodePage.PING, "Ping").child("HeartbeatInterval", 300)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                        .build()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.gateway().services().heartbeat().parked() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.gateway().services().heartbeat().parkedUsers()).containsExactly(parkedUser);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (watcher.statusCommands() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(watcher.statusCommands()).isPositive(); // polled, with nothing new: no wake
        assertThat(ping).isNotDone();

        long delivered = System.nanoTime();
        dovecot.deliver(parkedUser, mail("polled"));
        Response woken = ping.get(5, TimeUnit.SECONDS);
        long wakeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - delivered);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(inbox);
        assertThat(wakeMillis).isLessThan(3000);

        // one watched folder of one parked user: at most a STATUS per round (about one a second), never the idle
        // user's; and none once nobody is parked
        Thread.sleep(300);
        long after = watcher.statusCommands();
        assertThat(after).isLessThanOrEqualTo(8);
        Thread.sleep(1500);
        assertThat(watcher.statusCommands()).isEqualTo(after);
    }
}
