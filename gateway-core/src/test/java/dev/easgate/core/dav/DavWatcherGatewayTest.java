package dev.easgate.core.dav;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.dav.DavWatcher;
import dev.easgate.backends.dav.RadicaleProcess;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DAV watcher on a real Radicale with per-user passwords and no service account, polling every second with each
 * parked user's own login: a parked Ping on the Contacts folder wakes when another client of the user PUTs a vCard
 * straight into Radicale; users without a parked device are not polled.
 */
class DavWatcherGatewayTest {
    private static RadicaleProcess radicale;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() throws Exception {
        radicale = RadicaleProcess.startPerUser("demo", "demo", "alice", "demo");
        server = GatewayTestServer.start(Map.of("dav.url", radicale.url().toString(),
                "dav.watch-interval", "1", "heartbeat.min", "1"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, radicale);
    }

    private static DavWatcher watcher() {
        return server.gateway().services().resources().stream().filter(DavWatcher.class::isInstance)
                .map(DavWatcher.class::cast).findFirst().orElseThrow();
    }

    private static WbxmlElement sync(String key, String collectionId) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId);
            if (!key.equals("0")) {
                c.child("GetChanges", "1");
            }
        })).build();
    }

    /** Provisions, lists folders and syncs Contacts once; returns the Contacts folder id. */
    private static String syncedContacts(EasTestClient phone) {
        phone.provision();
        WbxmlElement folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        String contacts = null;
        for (WbxmlElement add : folders.child("Changes").children("Add")) {
            if (add.childText("Type").equals("9")) {
                contacts = add.childText("ServerId");
            }
        }
        assertThat(contacts).isNotNull().startsWith("d");
        String key = phone.post("Sync", sync("0", contacts)).body().child("Collections").child("Collection")
                .childText("SyncKey");
        phone.post("Sync", sync(key, contacts));
        return contacts;
    }

    @Test
    void aParkedPingOnContactsWakesOnAVcardPutIntoRadicaleAndUnparkedUsersAreNotPolled() throws Exception {
        EasTestClient phone = server.client("demo", "DAVPOLL1");
        EasTestClient other = server.client("alice", "DAVPOLL2");
        String contacts = syncedContacts(phone);
        syncedContacts(other);
        DavWatcher watcher = watcher();

        Thread.sleep(1500); // both users served by the node, nobody parked: nothing polled
        assertThat(watcher.checks()).isZero();

        CompletableFuture<EasTestClient.Response> ping = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                el(CodePage.PING, "Ping").child("HeartbeatInterval", 300)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", contacts)
                                .child("Class", "Contacts"))).build()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.gateway().services().heartbeat().parked() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.gateway().services().heartbeat().parkedUsers()).containsExactly("demo");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (watcher.checks() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(watcher.checks()).isPositive(); // polled, with nothing new: still parked
        assertThat(ping).isNotDone();

        long put = System.nanoTime();
        assertThat(radicale.requestAs("demo", "demo", "PUT", "demo/contacts/polled.vcf", "text/vcard",
                "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:polled\r\nFN:Paula Poll\r\nN:Poll;Paula;;;\r\nEND:VCARD\r\n")
                .statusCode()).isBetween(200, 299);
        EasTestClient.Response woken = ping.get(5, TimeUnit.SECONDS);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(contacts);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - put)).isLessThan(3000);

        Thread.sleep(300);
        long checks = watcher.checks();
        assertThat(checks).isPositive().isLessThanOrEqualTo(8); // demo only, about once a second
        Thread.sleep(1500);
        assertThat(watcher.checks()).isEqualTo(checks); // unparked: no more polls
    }
}
