package dev.easgate.core.connection;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import io.micrometer.core.instrument.Counter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** {@code http.max-connections} over real sockets: idle connections make room, busy ones are never taken. */
class MaxConnectionsTest {

    private static double closes(GatewayTestServer server, String reason) {
        Counter counter = server.gateway().services().metrics().registry().find("easgate.http.closed")
                .tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static void awaitOpen(GatewayTestServer server, int connections) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        double open;
        while ((open = server.gateway().services().metrics().registry().get("easgate.http.connections").gauge()
                .value()) != connections) {
            assertThat(System.nanoTime()).as("%d connections open (%s now; closed: %s idle, %s evicted, %s refused)",
                    connections, open, closes(server, "idle"), closes(server, "evicted"), closes(server, "refused"))
                    .isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void atTheLimitTheLongestIdleConnectionsMakeRoomForADevice() throws Exception {
        List<RawHttp> idle = new ArrayList<>();
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("http.max-connections", "20"))) {
            for (int i = 0; i < 20; i++) {
                idle.add(RawHttp.connect(server.uri()));
                Thread.sleep(5);
            }
            awaitOpen(server, 20);
            EasTestClient phone = server.provisioned("alice", "AT-LIMIT");
            EasTestClient.Response folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                    .child("SyncKey", "0").build());
            assertThat(folders.status()).isEqualTo(200);
            assertThat(folders.text("Status")).isEqualTo("1");
            double evicted = closes(server, "evicted");
            assertThat(evicted).isGreaterThanOrEqualTo(1);
            int closed = 0;
            for (RawHttp connection : idle) {
                closed += connection.closedWithin(50) ? 1 : 0;
            }
            assertThat(closed).as("idle sockets closed").isEqualTo((int) evicted);
            assertThat(server.gateway().services().metrics().registry().get("easgate.http.connections").gauge()
                    .value()).isLessThanOrEqualTo(20);
        } finally {
            Closing.closeAll(idle.toArray(new AutoCloseable[0]));
        }
    }

    @Test
    void whenEveryConnectionHasARequestInProgressANewOneIsRefusedAndNoneIsCut() throws Exception {
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("http.max-connections", "2",
                "heartbeat.min", "2"))) {
            List<CompletableFuture<EasTestClient.Response>> pings = new ArrayList<>();
            for (String user : List.of("alice", "bob")) {
                EasTestClient phone = server.provisioned(user, "BUSY-" + user);
                String inbox = server.folderId(user, FolderType.INBOX);
                server.markSynced(user, "BUSY-" + user, inbox);
                WbxmlElement ping = el(CodePage.PING, "Ping").child("HeartbeatInterval", 3L)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                        .build();
                pings.add(CompletableFuture.supplyAsync(() -> phone.post("Ping", ping)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.gateway().services().heartbeat().parked() != 2) {
                assertThat(System.nanoTime()).as("both parked").isLessThan(deadline);
                Thread.sleep(5);
            }
            double refused = closes(server, "refused");
            try (RawHttp third = RawHttp.connect(server.uri())) {
                assertThat(third.awaitClose(2000)).isEmpty();
            }
            assertThat(closes(server, "refused")).isEqualTo(refused + 1);
            for (CompletableFuture<EasTestClient.Response> ping : pings) {
                EasTestClient.Response answer = ping.get(10, TimeUnit.SECONDS);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.text("Status")).isEqualTo("1");
            }
            assertThat(closes(server, "evicted")).isZero();
        }
    }

    @Test
    void theAutomaticLimitKeepsAFixedReserveAndRoomForTheBackendsPools() {
        int limit = ConnectionPolicy.automaticLimit(Integer.MAX_VALUE, 0);
        UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount();
        // descriptors opened or closed by other threads of this JVM between the two readings move it a little
        assertThat((double) limit).isCloseTo(free - Math.min(free / 2.0, ConnectionPolicy.RESERVE),
                Offset.offset(20.0));
        assertThat(ConnectionPolicy.automaticLimit(1000, 0)).isEqualTo((int) Math.min(1000, limit));

        // this machine's case: ulimit -n 20000, ~100 open at start; 18,000 parked Pings fit with the defaults
        assertThat(ConnectionPolicy.limitFor(Integer.MAX_VALUE, 19_900, 0)).isEqualTo(19_644);
        // backend=imap with the defaults: a pool of 800 and 64 blocking threads (SMTP) are kept too
        assertThat(ConnectionPolicy.limitFor(Integer.MAX_VALUE, 19_900, 864)).isEqualTo(18_780);
        // a systemd unit's LimitNOFILE=1048576: parked.max + request.max-concurrent decides
        assertThat(ConnectionPolicy.limitFor(110_000, 1_048_000, 0)).isEqualTo(110_000);
        // a tiny limit (ulimit -n 256, ~90 open at start): half of what is free, never nothing
        assertThat(ConnectionPolicy.limitFor(Integer.MAX_VALUE, 166, 0)).isEqualTo(83);
        assertThat(ConnectionPolicy.limitFor(Integer.MAX_VALUE, 1, 0)).isEqualTo(1);
    }
}
