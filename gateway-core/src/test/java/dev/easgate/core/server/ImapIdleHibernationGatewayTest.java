package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static dev.easgate.core.server.ImapWatcherGatewayTest.syncedInbox;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.imap.ImapChangeWatcher;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The held connection's IDLE with Dovecot's {@code imap_hibernate_timeout} on (README, "Step by step: an existing
 * Dovecot"): the idle connection moves from its {@code imap} process to {@code imap-hibernate}, because the
 * gateway sends nothing on it (keepalives are read, not answered), and a delivery still wakes the parked Ping
 * within a couple of seconds, the rounds being 10 minutes apart.
 */
class ImapIdleHibernationGatewayTest {
    private static DovecotProcess dovecot;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start(DovecotProcess.Options.DEFAULT.withHibernation("1s"));
        server = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "heartbeat.min", "1", "watcher.interval", "600"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, dovecot);
    }

    @Test
    void aHibernatedIdleConnectionStillWakesAParkedPing() throws Exception {
        String user = dovecot.nextUser();
        EasTestClient phone = server.client(user, DovecotProcess.PASSWORD, "HIBERNATE1").protocolVersion("14.1");
        String inbox = syncedInbox(phone);
        ImapChangeWatcher watcher = ImapWatcherGatewayTest.watcher(server);

        CompletableFuture<Response> ping = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                el(CodePage.PING, "Ping").child("HeartbeatInterval", 120)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                        .build()));
        ImapIdleGatewayTest.awaitIdling(watcher, 1);
        // Dovecot hibernates the connection one second into its IDLE: the user's only IMAP connection is then
        // served by the imap-hibernate process, no imap process is left for it
        List<String> processes = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            processes = dovecot.imapProcessesOf(user);
            if (!processes.isEmpty() && processes.stream().allMatch(p -> p.contains("imap-hibernate"))) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(processes).as("the user's IMAP processes, " + dovecot.log()).isNotEmpty()
                .allMatch(p -> p.contains("imap-hibernate"));
        assertThat(ping).isNotDone();

        long delivered = System.nanoTime();
        dovecot.deliver(user, ("From: Carol <carol@example.org>\r\nTo: " + user + "@" + DovecotProcess.DOMAIN
                + "\r\nSubject: to a hibernated IDLE\r\nMessage-ID: <" + UUID.randomUUID() + "@example.org>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nWake up.\r\n")
                .getBytes(StandardCharsets.UTF_8));
        Response woken = ping.get(10, TimeUnit.SECONDS);
        long wakeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - delivered);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(inbox);
        assertThat(wakeMillis).isLessThan(3000);
        assertThat(watcher.statusCommands()).as("no poll: only the IDLE explains the wake").isZero();
        // the connection survived its hibernation: IDLE again on it, no new login for the wake
        ImapIdleGatewayTest.awaitIdling(watcher, 1);
        assertThat(watcher.openConnections()).isEqualTo(1);
    }
}
