package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.imap.ImapChangeWatcher;
import dev.easgate.backends.imap.ImapMailStore;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Push from a real Dovecot without any push plugin (no push-notification plugin, no push.token) nor IDLE: the change
 * watcher, on by default, wakes a parked Ping through {@code STATUS (UIDVALIDITY HIGHESTMODSEQ)} polls; users without a parked device are
 * never polled; the watcher keeps at most {@code watcher.connections} connections between polls and paces the logins
 * of the rest.
 */
class ImapWatcherGatewayTest {
    private static DovecotProcess dovecot;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        // no push-notification plugin, and no IDLE announced: the STATUS polls (ImapIdleGatewayTest: with IDLE)
        dovecot = DovecotProcess.start(DovecotProcess.Options.DEFAULT.withoutIdle());
        server = gateway(Map.of("watcher.interval", "1"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, dovecot);
    }

    /** A gateway on the test Dovecot with the shipped watcher defaults except {@code watcher}. */
    private static GatewayTestServer gateway(Map<String, String> watcher) {
        Map<String, String> options = new HashMap<>(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "heartbeat.min", "1"));
        options.putAll(watcher);
        return GatewayTestServer.start(options);
    }

    private static ImapChangeWatcher watcher() {
        return watcher(server);
    }

    static ImapChangeWatcher watcher(GatewayTestServer gateway) {
        return gateway.gateway().services().resources().stream().filter(ImapChangeWatcher.class::isInstance)
                .map(ImapChangeWatcher.class::cast).findFirst().orElseThrow();
    }

    private static CompletableFuture<Response> ping(EasTestClient phone, String inbox) {
        return ping(phone, inbox, 300);
    }

    static CompletableFuture<Response> ping(EasTestClient phone, String inbox, int heartbeatSeconds) {
        return CompletableFuture.supplyAsync(() -> phone.post("Ping",
                el(CodePage.PING, "Ping").child("HeartbeatInterval", heartbeatSeconds)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                        .build()));
    }

    static void awaitParked(GatewayTestServer gateway, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gateway.gateway().services().heartbeat().parked() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gateway.gateway().services().heartbeat().parked()).isEqualTo(count);
    }

    private static void awaitHeld(GatewayTestServer gateway, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (watcher(gateway).heldConnections() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(watcher(gateway).heldConnections()).isEqualTo(count);
    }

    @Test
    void theShippedDefaultsWakeAParkedPingWithoutAnyServerPlugin() throws Exception {
        try (GatewayTestServer defaults = gateway(Map.of())) {
            String user = dovecot.nextUser();
            EasTestClient phone = defaults.client(user, DovecotProcess.PASSWORD, "DEFAULTPHONE1")
                    .protocolVersion("14.1");
            String inbox = syncedInbox(phone);
            CompletableFuture<Response> ping = ping(phone, inbox);
            awaitParked(defaults, 1);
            // within the default 700 places: a round gives the parked user one (and takes it back once the Ping
            // is answered, so it is looked at while parked, not after the wake)
            awaitHeld(defaults, 1);

            // delivered right after the park: the park's own look is the baseline, the first poll (at most one
            // default interval of 20 s later) sees the change
            long delivered = System.nanoTime();
            dovecot.deliver(user, mail("pushed by the default watcher"));
            Response woken = ping.get(25, TimeUnit.SECONDS);
            long wakeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - delivered);
            assertThat(woken.text("Status")).isEqualTo("2");
            assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(inbox);
            assertThat(wakeMillis).isLessThan(21_000);
            assertThat(watcher(defaults).statusCommands()).isPositive();
        }
    }

    @Test
    void theWatcherHoldsAtMostItsConnectionsAndPacesTheOthersLogins() throws Exception {
        // one held place, one login per second: of three parked users, one is polled every second on its held
        // connection, the two others log in for each poll, in rounds of about two seconds instead of one
        try (GatewayTestServer bounded = gateway(Map.of("watcher.interval", "1", "watcher.connections", "1",
                "watcher.logins-per-second", "1"))) {
            List<String> users = List.of(dovecot.nextUser(), dovecot.nextUser(), dovecot.nextUser());
            List<EasTestClient> phones = new ArrayList<>();
            List<String> inboxes = new ArrayList<>();
            for (String user : users) {
                EasTestClient phone = bounded.client(user, DovecotProcess.PASSWORD, "BOUNDPHONE" + phones.size())
                        .protocolVersion("14.1");
                inboxes.add(syncedInbox(phone));
                phones.add(phone);
            }
            List<CompletableFuture<Response>> pings = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                pings.add(ping(phones.get(i), inboxes.get(i)));
            }
            awaitParked(bounded, users.size());
            ImapChangeWatcher watcher = watcher(bounded);
            Thread.sleep(2500); // the first round: everyone polled once, the two without a place logged out

            long loginsBefore = watcher.logins();
            long checksBefore = watcher.checks();
            int samples = 0;
            int atMostHeld = 0;
            int most = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < end) {
                int open = watcher.openConnections();
                most = Math.max(most, open);
                atMostHeld += open <= 1 ? 1 : 0;
                samples++;
                Thread.sleep(20);
            }
            long logins = watcher.logins() - loginsBefore;
            long checks = watcher.checks() - checksBefore;
            assertThat(watcher.heldConnections()).isEqualTo(1);
            // the held user's connection, plus at most the one poll in flight; mostly just the held one
            assertThat(most).isLessThanOrEqualTo(2);
            assertThat(atMostHeld).isGreaterThan(samples * 3 / 4);
            // about 3 rounds of 2 s: 2 logins each (at 1 s rounds it would be 12 logins), the held user none
            assertThat(logins).isBetween(4L, 8L);
            // and the held user's 6 polls on its connection
            assertThat(checks).isBetween(9L, 16L);

            // a user without a held place still wakes: each poll logs in anew
            int outsider = -1;
            for (int i = 0; i < users.size() && outsider < 0; i++) {
                if (!watcher.holdsConnectionOf(users.get(i))) {
                    outsider = i;
                }
            }
            assertThat(outsider).isNotNegative();
            dovecot.deliver(users.get(outsider), mail("polled after a login"));
            Response woken = pings.get(outsider).get(10, TimeUnit.SECONDS);
            assertThat(woken.text("Status")).isEqualTo("2");
            assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(inboxes.get(outsider));
        }
    }

    @Test
    void aPingParkingAgainWithNothingNewCostsNoLoginNorFullLook() throws Exception {
        String user = dovecot.nextUser();
        EasTestClient phone = server.client(user, DovecotProcess.PASSWORD, "REPARKPHONE1").protocolVersion("14.1");
        String inbox = syncedInbox(phone);
        ImapMailStore store = (ImapMailStore) server.gateway().services().mailStore().attachmentSource()
                .orElseThrow();
        ImapChangeWatcher watcher = watcher();
        assertThat(ping(phone, inbox, 2).get(10, TimeUnit.SECONDS).text("Status")).isEqualTo("1");

        long logins = watcher.logins();
        long kept = store.keptAnswers();
        long checks = store.parkedChecks();
        assertThat(ping(phone, inbox, 2).get(10, TimeUnit.SECONDS).text("Status")).as("expired, nothing new")
                .isEqualTo("1");

        assertThat(store.parkedChecks()).isEqualTo(checks + 1);
        assertThat(store.keptAnswers()).as("answered from the kept answer").isEqualTo(kept + 1);
        assertThat(watcher.logins()).isEqualTo(logins);

        // a delivery between two Pings still wakes the next one: its check sees the fingerprint moved, or answers
        // from the watcher's observation before the delivery and the watcher's next poll sees it moved
        dovecot.deliver(user, mail("between two Pings"));
        Response woken = ping(phone, inbox, 30).get(10, TimeUnit.SECONDS);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(inbox);
    }

    /** Provisions, lists folders and syncs the Inbox once; returns the Inbox id. */
    static String syncedInbox(EasTestClient phone) {
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

    static WbxmlElement sync(String collectionId, String key) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId);
            if (!key.equals("0")) {
                c.child("GetChanges", "1").child("WindowSize", 50);
            }
        })).build();
    }

    static WbxmlElement collection(Response sync) {
        return sync.body().child("Collections").child("Collection");
    }

    static byte[] mail(String subject) {
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

        CompletableFuture<Response> ping = ping(phone, inbox);
        awaitParked(server, 1);
        assertThat(server.gateway().services().heartbeat().parkedUsers()).containsExactly(parkedUser);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (watcher.statusCommands() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(watcher.statusCommands()).isPositive(); // polled, with nothing new: no wake
        assertThat(ping).isNotDone();
        assertThat(watcher.idleStarts()).as("a server without IDLE: STATUS polls only").isZero();

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
