package dev.easgate.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.easgate.core.heartbeat.HeartbeatHub;
import dev.easgate.core.heartbeat.ParkingPhones;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.HeapHistogram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards what a set-up device costs a node in heap while it is not talking to it: {@value #DEVICES} phones, each
 * its own user, provision, FolderSync, sync their Inbox to the end and send one Ping that parks and ends (its
 * connection closed) on an in-process gateway configured as eas-bench's node (memory mail backend with the nine
 * empty standard folders per user, device state in SQLite in a temporary data directory). The phones run in
 * processes of their own ({@link SettingUpPhones}, {@link ParkingPhones}) so that only the node's heap is
 * measured: class histograms of the live heap (as {@code jmap -histo:live}) before the set-up, after it, and after
 * two more rounds of Pings. Fails when a device keeps more than {@link #BUDGET_BYTES_PER_DEVICE}, or when a round
 * of Pings leaves more than {@link #BUDGET_BYTES_PER_ROUND} per device behind (state that would grow with every
 * Ping). It measures heap, not time, so a loaded machine does not change its verdict.
 */
class DeviceStateFootprintTest {
    private static final int DEVICES = 2000;
    /** Devices set up (and Pinged once) before the first histogram: classes loaded, pools and caches started. */
    private static final int WARM_UP = 200;
    /**
     * Bytes of live heap a set-up device may keep on the node (its state, the user's folders in the memory store,
     * the node's caches, its last Ping ended): what it measured plus a margin of about 10 %. Lower it when a
     * change slims the device state; raise it only with a reason. Measured on 7 December 2026 (JDK 17): 4,476
     * bytes with the node's last copy of each device record as objects, the memory store's nine empty folders per
     * user as maps and the acknowledged policy kept without policy sets; 549 with the record encoded in a bounded
     * cache, the untouched seeded folders shared by all users and no policy kept without sets (the node's last
     * record copy about 260 bytes, the user's mailbox in the memory store about 230).
     */
    private static final long BUDGET_BYTES_PER_DEVICE = 600;
    /**
     * Bytes per device a further round of Pings may leave behind: nothing but the measuring noise (21 measured;
     * 145 to 152 while the histograms themselves were kept in the heap, counted as the devices' growth).
     */
    private static final long BUDGET_BYTES_PER_ROUND = 40;
    /** A file to write the node's live heap to at the end (hprof), to trace what holds the growth. */
    private static final String DUMP_PROPERTY = "easgate.footprint.dump";
    private static final String PASSWORD = "footprint-secret";
    private static final Duration WAIT = Duration.ofSeconds(300);

    @Test
    void aSetUpDeviceKeepsWithinItsMeasuredHeap(@TempDir Path dir) throws Exception {
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("memory.password", PASSWORD,
                "memory.seed", "folders"))) {
            Path warmUp = setUp(server, "warm", WARM_UP, dir.resolve("warm-pings.bin"));
            pingRound(server, warmUp, WARM_UP);
            HeapHistogram empty = settled();
            Path pings = setUp(server, "dev", DEVICES, dir.resolve("pings.bin"));
            pingRound(server, pings, DEVICES);
            HeapHistogram setUp = settled();
            pingRound(server, pings, DEVICES);
            pingRound(server, pings, DEVICES);
            HeapHistogram pinged = settled();

            long perDevice = (setUp.totalBytes() - empty.totalBytes()) / DEVICES;
            long perRound = (pinged.totalBytes() - setUp.totalBytes()) / (2L * DEVICES);
            String growth = setUp.growthPerInstance(empty, DEVICES, 40);
            String rounds = pinged.growthPerInstance(setUp, 2 * DEVICES, 15);
            System.out.printf("live heap per set-up device: %d bytes (budget %d), %d devices; by owner: %s;"
                    + " by package: %s; by class:%n%s%n", perDevice, BUDGET_BYTES_PER_DEVICE, DEVICES,
                    setUp.growthByOwner(empty, DEVICES), setUp.growthBy(empty, DEVICES,
                            DeviceStateFootprintTest::easgatePackage), growth);
            System.out.printf("live heap left per device by a further round of Pings: %d bytes (budget %d); by"
                    + " class:%n%s%n", perRound, BUDGET_BYTES_PER_ROUND, rounds);
            String dump = System.getProperty(DUMP_PROPERTY, "");
            if (!dump.isEmpty()) {
                Files.deleteIfExists(Path.of(dump));
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump, true);
            }
            assertThat(perDevice)
                    .as("live heap per set-up device (budget %d bytes); grown per device, by class:%n%s",
                            BUDGET_BYTES_PER_DEVICE, growth)
                    .isLessThanOrEqualTo(BUDGET_BYTES_PER_DEVICE);
            assertThat(perRound)
                    .as("live heap left per device by a round of Pings (budget %d bytes), by class:%n%s",
                            BUDGET_BYTES_PER_ROUND, rounds)
                    .isLessThanOrEqualTo(BUDGET_BYTES_PER_ROUND);
        }
    }

    /** The live heap once the closed connections have left it (a few may linger: 1 % of the devices). */
    private static HeapHistogram settled() throws Exception {
        return HeapHistogram.liveWithoutClosedConnections(DEVICES / 100, Duration.ofSeconds(30));
    }

    /** The gateway's classes by package (below dev.easgate), everyone else's as one. */
    private static String easgatePackage(String className) {
        if (!className.startsWith("dev.easgate.")) {
            return "other";
        }
        int last = className.lastIndexOf('.');
        return className.substring("dev.easgate.".length(), last);
    }

    /** Sets {@code count} phones up in a process of their own; returns the file of their Pings. */
    private static Path setUp(GatewayTestServer server, String prefix, int count, Path pings) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), SettingUpPhones.class.getName(),
                server.uri().toString(), PASSWORD, prefix, Integer.toString(count), pings.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = out.readLine();
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the phones did not set up within " + WAIT.toSeconds() + " s");
            }
            if (line == null || !line.equals("ready " + count)) {
                throw new AssertionError("the phones did not set up (exit " + process.exitValue() + "): " + line);
            }
        } finally {
            process.destroyForcibly();
        }
        awaitClosed(server);
        return pings;
    }

    /** Parks every Ping of the file, then closes their connections: each Ping ends, its device stays set up. */
    private static void pingRound(GatewayTestServer server, Path pings, int count) throws Exception {
        HeartbeatHub hub = server.gateway().services().heartbeat();
        Process process = ParkingPhones.start(server.gateway().port(), pings, count);
        try {
            await(() -> hub.parked() == count, () -> hub.parked() + " of " + count + " parked");
            OutputStream in = process.getOutputStream();
            in.write("close\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            in.close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the phones did not close their connections within 60 s");
            }
        } finally {
            process.destroyForcibly();
        }
        awaitClosed(server);
    }

    private static void awaitClosed(GatewayTestServer server) throws InterruptedException {
        HeartbeatHub hub = server.gateway().services().heartbeat();
        await(() -> hub.parked() == 0 && openConnections(server) == 0,
                () -> hub.parked() + " parked, " + openConnections(server) + " connections open");
    }

    private static long openConnections(GatewayTestServer server) {
        return (long) server.gateway().services().metrics().registry().get("easgate.http.connections").gauge()
                .value();
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
}
