package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static dev.easgate.core.server.ImapWatcherGatewayTest.collection;
import static dev.easgate.core.server.ImapWatcherGatewayTest.mail;
import static dev.easgate.core.server.ImapWatcherGatewayTest.sync;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.imap.ImapChangeWatcher;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dovecot 2.3's hibernation race, which explained the rare misses of {@code eas-bench imap-push} with IDLE and
 * hibernation (2 of 450 deliveries at 1,000 held): an {@code imap} process reports a change in IDLE half a second
 * after it sees it (its notify delay); when the {@code imap_hibernate_timeout} ends within that half second, the
 * connection moves to {@code imap-hibernate} with the pending report dropped, and the new watch it gets only sees
 * later changes. The change is reported only when the connection next leaves {@code imap-hibernate}. Here a mail
 * is delivered 0.7 s into an IDLE that hibernates at 1 s; the held-back change must still wake the parked Ping, by
 * the IDLE's next renewal ({@code watcher.idle-renewal}, DONE then IDLE, whose DONE brings the connection back).
 */
class ImapIdleHibernationRaceGatewayTest {
    private static final int RENEWAL_SECONDS = 5;
    private static DovecotProcess dovecot;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start(DovecotProcess.Options.DEFAULT.withHibernation("1s"));
        server = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "heartbeat.min", "1", "watcher.interval", "600",
                "watcher.idle-renewal", Integer.toString(RENEWAL_SECONDS)));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, dovecot);
    }

    @Test
    void aChangeDovecotHeldBackAtHibernationWakesThePingAtTheNextRenewal() throws Exception {
        String user = dovecot.nextUser();
        EasTestClient phone = server.client(user, DovecotProcess.PASSWORD, "HIBRACE1").protocolVersion("14.1");
        String inbox = ImapWatcherGatewayTest.syncedInbox(phone);
        String key = syncToEnd(phone, inbox, collection(phone.post("Sync", sync(inbox, "0"))).childText("SyncKey"));
        ImapChangeWatcher watcher = ImapWatcherGatewayTest.watcher(server);

        // the window is half a second wide and the machine may be loaded: a few tries until one delivery lands in it
        List<String> tries = new ArrayList<>();
        boolean heldBack = false;
        for (int attempt = 0; attempt < 6 && !heldBack; attempt++) {
            CompletableFuture<Response> ping = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                    el(CodePage.PING, "Ping").child("HeartbeatInterval", 120).child("Folders",
                            f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email"))).build()));
            ImapIdleGatewayTest.awaitIdling(watcher, 1);
            // a renewal's new IDLE starts at a moment seen here within milliseconds: Dovecot hibernates it 1 s later
            long renewals = watcher.idleRenewals();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3L * RENEWAL_SECONDS);
            while (watcher.idleRenewals() == renewals && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            long idleStart = System.nanoTime();
            assertThat(watcher.idleRenewals()).as("IDLE renewals").isGreaterThan(renewals);
            assertThat(ping).isNotDone();
            Thread.sleep(Math.max(0, 700 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleStart)));
            long delivered = System.nanoTime();
            long renewalsAtDelivery = watcher.idleRenewals();
            dovecot.deliver(user, mail("in the last half second before hibernation " + attempt));

            Response woken = ping.get(3L * RENEWAL_SECONDS, TimeUnit.SECONDS);
            long wakeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - delivered);
            assertThat(woken.text("Status")).as("woken after " + wakeMillis + " ms").isEqualTo("2");
            // an IDLE that reported the change itself does so within a second; later, only a renewal found it
            heldBack = wakeMillis > 1500 && watcher.idleRenewals() > renewalsAtDelivery;
            tries.add("delivered " + TimeUnit.NANOSECONDS.toMillis(delivered - idleStart) + " ms into the IDLE, woken "
                    + wakeMillis + " ms later" + (heldBack ? " (held back until the renewal)" : ""));
            assertThat(wakeMillis).as("tries: " + tries).isLessThan(RENEWAL_SECONDS * 1000L + 3000);
            key = syncToEnd(phone, inbox, key);
        }
        assertThat(heldBack).as("a delivery Dovecot held back at hibernation; tries: " + tries).isTrue();
    }

    /** Syncs the folder from {@code key} until nothing more comes; returns the last key. */
    private static String syncToEnd(EasTestClient phone, String folderId, String key) {
        for (int round = 0; round < 10; round++) {
            Response answer = phone.post("Sync", sync(folderId, key));
            if (answer.body() == null) {
                return key;
            }
            WbxmlElement collection = collection(answer);
            key = collection.childText("SyncKey");
            if (collection.child("MoreAvailable") == null) {
                return key;
            }
        }
        return key;
    }
}
