package dev.easgate.core.server;

import static dev.easgate.core.server.ImapWatcherGatewayTest.awaitParked;
import static dev.easgate.core.server.ImapWatcherGatewayTest.collection;
import static dev.easgate.core.server.ImapWatcherGatewayTest.mail;
import static dev.easgate.core.server.ImapWatcherGatewayTest.ping;
import static dev.easgate.core.server.ImapWatcherGatewayTest.sync;
import static dev.easgate.core.server.ImapWatcherGatewayTest.syncedInbox;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.imap.ImapChangeWatcher;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Push from a stock Dovecot without the push plugin, which announces IDLE (RFC 2177): the watcher's held connection
 * waits in IDLE in the Inbox, and the rounds are 10 minutes apart, so only the IDLE can explain a wake within
 * seconds.
 */
class ImapIdleGatewayTest {
    private static DovecotProcess dovecot;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start();
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(dovecot);
    }

    private static GatewayTestServer gateway() {
        return GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "heartbeat.min", "1", "watcher.interval", "600"));
    }

    /**
     * With IDLE (Dovecot announces it): the held connection waits in IDLE in the Inbox, so a delivery wakes the
     * parked Ping within a second although the rounds are 10 minutes apart (no STATUS at all); the device's own
     * write, seen by the same IDLE, does not wake its Ping; another device's write does.
     */
    @Test
    void withIdleADeliveryWakesAParkedPingAtOnceAndOnlyAnotherDevicesWriteDoes() throws Exception {
        try (GatewayTestServer idle = gateway()) {
            String user = dovecot.nextUser();
            dovecot.deliver(user, mail("already there"));
            EasTestClient phone = idle.client(user, DovecotProcess.PASSWORD, "IDLEPHONE1").protocolVersion("14.1");
            EasTestClient tablet = idle.client(user, DovecotProcess.PASSWORD, "IDLETABLET1")
                    .protocolVersion("14.1");
            String inbox = syncedInbox(phone);
            syncedInbox(tablet);
            ImapChangeWatcher watcher = ImapWatcherGatewayTest.watcher(idle);

            CompletableFuture<Response> ping = ping(phone, inbox, 60);
            awaitParked(idle, 1);
            awaitIdling(watcher, 1);
            Thread.sleep(200);
            assertThat(ping).isNotDone();
            long delivered = System.nanoTime();
            dovecot.deliver(user, mail("seen by IDLE"));
            Response woken = ping.get(10, TimeUnit.SECONDS);
            long wakeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - delivered);
            assertThat(woken.text("Status")).isEqualTo("2");
            assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(inbox);
            assertThat(wakeMillis).isLessThan(3000);
            assertThat(watcher.statusCommands()).as("no poll: the first round's check is 5 minutes away").isZero();

            // the phone catches up, parks again and marks a message read itself: its Ping runs to the end
            String[] phoneView = syncedTo(phone, inbox);
            long started = System.nanoTime();
            CompletableFuture<Response> own = ping(phone, inbox, 3);
            awaitParked(idle, 1);
            awaitIdling(watcher, 1);
            WbxmlElement written = phone.syncCollection(phoneView[0], inbox, c -> c.child("Change", ch -> ch
                    .child("ServerId", phoneView[1]).child("ApplicationData", d -> d.child("Email:Read", "1"))));
            assertThat(written.childText("Status")).isEqualTo("1");
            assertThat(own.get(10, TimeUnit.SECONDS).text("Status")).as("the device's own write").isEqualTo("1");
            assertThat(System.nanoTime() - started).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(2500));

            // another device's write wakes it
            String[] tabletView = syncedTo(tablet, inbox);
            CompletableFuture<Response> other = ping(phone, inbox, 60);
            awaitParked(idle, 1);
            awaitIdling(watcher, 1);
            tablet.syncCollection(tabletView[0], inbox, c -> c.child("Change", ch -> ch
                    .child("ServerId", tabletView[1]).child("ApplicationData", d -> d.child("Email:Read", "0"))));
            Response byTablet = other.get(5, TimeUnit.SECONDS);
            assertThat(byTablet.text("Status")).isEqualTo("2");
            assertThat(watcher.idleStarts()).isGreaterThanOrEqualTo(3);
        }
    }

    static void awaitIdling(ImapChangeWatcher watcher, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (watcher.idling() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(watcher.idling()).as("connections in IDLE").isEqualTo(count);
    }

    /** Syncs the folder to its end; returns the key and the first message's id. */
    private static String[] syncedTo(EasTestClient phone, String folderId) {
        WbxmlElement first = collection(phone.post("Sync", sync(folderId, "0")));
        String key = first.childText("SyncKey");
        String id = null;
        for (int round = 0; round < 10; round++) {
            Response answer = phone.post("Sync", sync(folderId, key));
            if (answer.body() == null) {
                break;
            }
            WbxmlElement collection = collection(answer);
            key = collection.childText("SyncKey");
            WbxmlElement commands = collection.child("Commands");
            if (id == null && commands != null && commands.child("Add") != null) {
                id = commands.child("Add").childText("ServerId");
            }
            if (collection.child("MoreAvailable") == null) {
                break;
            }
        }
        assertThat(id).isNotNull();
        return new String[] {key, id};
    }

}
