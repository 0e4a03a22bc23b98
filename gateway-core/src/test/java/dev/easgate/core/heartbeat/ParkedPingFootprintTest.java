package dev.easgate.core.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.FolderType;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.HeapHistogram;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards what a parked Ping costs in heap: {@value #PHONES} phones park a Ping each on an in-process gateway over
 * real loopback connections (their own process, {@link ParkingPhones}, so their sockets are not in this heap), and
 * the live heap (a full collection and a class histogram, as {@code jmap -histo:live} does) is compared with the
 * same node once those Pings have ended (devices set up, connections closed). A parked Ping is its connection and
 * what waits for the answer; the test fails when that grows past {@link #BUDGET_BYTES_PER_PING}. It measures
 * heap, not time, so a loaded machine does not change its verdict.
 */
class ParkedPingFootprintTest {
    private static final int PHONES = 2000;
    /**
     * Bytes of live heap a parked Ping may keep, its connection included: what it measured plus a margin of about
     * 10 % for the collector's and the JDK's variations. Lower it when a change slims the parked path; raise it only
     * with a reason. Measured on 7 December 2026 (JDK 17), against the first unparked histogram alone: 9,944 bytes
     * with a Reactor chain per park; 5,538 to 5,860 with the parked Ping as one waiter and one hub entry, the
     * heartbeat in a timer wheel. Against the mean of both unparked histograms (the node keeps ~760 bytes more per
     * device after each round of Pings: state they wrote): 5,153; 2,581 with the connection taken out of Reactor
     * Netty while parked (dev.easgate.core.http.ParkedConnections); 2,305 with the exchange's slots as fields and
     * the concurrency limits keyed without building strings; 1,909 (7 December 2026, JDK 17) with one hub entry per
     * parked user (parks chained, no map by device, no watched-folder table), one bus entry per listened user, one
     * limits entry per user with its devices chained, the device key and log tags on the request's own strings and
     * a receive-size policy shared by all connections.
     */
    private static final long BUDGET_BYTES_PER_PING = 2_100;
    private static final String PASSWORD = "footprint-secret";
    private static final Duration WAIT = Duration.ofSeconds(180);

    @Test
    void aParkedPingKeepsWithinItsMeasuredHeap(@TempDir Path dir) throws Exception {
        // provisioning is not what is measured: the Pings are let in without a policy key
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("memory.password", PASSWORD,
                "memory.seed", "folders", "provision.required", "false"))) {
            Path requests = dir.resolve("pings.bin");
            writePings(server, requests);
            // a first round sets up what stays after the Pings end: device records, last Pings, pools and caches
            round(server, requests).close();
            HeapHistogram before = HeapHistogram.liveWithoutClosedConnections(PHONES / 100, Duration.ofSeconds(30));
            HeapHistogram parked;
            try (Phones phones = round(server, requests)) {
                parked = HeapHistogram.live();
            }
            // the same node once the Pings have ended, again: what the JVM grew or let go meanwhile (other tests'
            // leftovers, caches, compiled code) cancels out against the mean of the two
            HeapHistogram after = HeapHistogram.liveWithoutClosedConnections(PHONES / 100, Duration.ofSeconds(30));
            long perPing = (parked.totalBytes() - (before.totalBytes() + after.totalBytes()) / 2) / PHONES;
            long drift = (after.totalBytes() - before.totalBytes()) / PHONES;
            String growth = parked.growthPerInstance(before, PHONES, 40);
            System.out.printf("live heap per parked Ping: %d bytes (budget %d; drift of the unparked node %d bytes "
                    + "per Ping); %d parked Pings; by owner: %s; by class:%n%s%n", perPing, BUDGET_BYTES_PER_PING,
                    drift, PHONES, parked.growthByOwner(before, PHONES), growth);
            System.out.printf("the unparked node's drift by class:%n%s%n",
                    after.growthPerInstance(before, PHONES, 15));
            assertThat(perPing)
                    .as("live heap per parked Ping (budget %d bytes); grown per Ping, by class:%n%s",
                            BUDGET_BYTES_PER_PING, growth)
                    .isLessThanOrEqualTo(BUDGET_BYTES_PER_PING);
        }
    }

    /** One Ping per phone (own user, own device, Inbox synced so that the Ping parks), as raw HTTP requests. */
    private static void writePings(GatewayTestServer server, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(PHONES);
            for (int i = 0; i < PHONES; i++) {
                String user = String.format("fp%05d", i);
                String device = String.format("FP%05dPHONE", i);
                String inbox = server.folderId(user, FolderType.INBOX);
                server.markSynced(user, device, inbox);
                byte[] request = ping(server.gateway().port(), user, device, inbox);
                out.writeInt(request.length);
                out.write(request);
            }
        }
    }

    /** A Ping as eas-bench's phones send it: one folder, a long heartbeat, their headers. */
    private static byte[] ping(int port, String user, String device, String folderId) {
        byte[] body = WbxmlEncoder.encode(WbxmlElement.el(CodePage.PING, "Ping").child("HeartbeatInterval", 3000)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", folderId).child("Class", "Email")))
                .build());
        String head = "POST /Microsoft-Server-ActiveSync?Cmd=Ping&User=" + user + "&DeviceId=" + device
                + "&DeviceType=EasBench HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Authorization: Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n"
                + "User-Agent: eas-bench/1.0\r\n"
                + "MS-ASProtocolVersion: 16.1\r\n"
                + "Content-Type: application/vnd.ms-sync.wbxml\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(body);
        return request.toByteArray();
    }

    /** Starts the phones and waits until every one of their Pings is parked. */
    private static Phones round(GatewayTestServer server, Path requests) throws Exception {
        Phones phones = Phones.start(server, requests);
        try {
            await(() -> server.gateway().services().heartbeat().parked() == PHONES,
                    () -> server.gateway().services().heartbeat().parked() + " of " + PHONES + " parked");
            return phones;
        } catch (AssertionError | RuntimeException e) {
            phones.close();
            throw e;
        }
    }

    private static void await(BooleanSupplier done, Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + state.get());
            }
            Thread.sleep(50);
        }
    }

    /** The phones' process; closing it closes their connections and waits until the node has let them go. */
    private record Phones(GatewayTestServer server, Process process) implements AutoCloseable {
        static Phones start(GatewayTestServer server, Path requests) throws IOException, URISyntaxException {
            return new Phones(server, ParkingPhones.start(server.gateway().port(), requests, PHONES));
        }

        @Override
        public void close() throws IOException {
            try {
                OutputStream in = process.getOutputStream();
                in.write("close\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                in.close();
            } catch (IOException e) {
                // the process is gone already
            }
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("the phones did not close their connections within 60 s");
                }
                HeartbeatHub hub = server.gateway().services().heartbeat();
                await(() -> hub.parked() == 0 && openConnections() == 0,
                        () -> hub.parked() + " parked, " + openConnections() + " connections open");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted", e);
            }
        }

        private long openConnections() {
            return (long) server.gateway().services().metrics().registry().get("easgate.http.connections").gauge()
                    .value();
        }
    }
}
