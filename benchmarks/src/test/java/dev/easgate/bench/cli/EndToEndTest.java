package dev.easgate.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.bench.cluster.LocalCluster;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.server.Gateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole simulator against a real gateway started in this JVM (the packaged jar does not exist yet when tests
 * run): 20 devices do the first sync and park, hold 3 s; then 10 changes each wake exactly their device, made by a
 * second device's SendMail and then by mail delivered over LMTP.
 */
@Timeout(120)
class EndToEndTest {
    private static Gateway gateway;

    @TempDir
    static Path data;

    @TempDir
    Path out;

    @BeforeAll
    static void start() throws Exception {
        gateway = Gateway.start(GatewayConfig.from(Map.of("port", "0", "memory.password", "e2e-secret",
                "heartbeat.min", "1", "shutdown.grace", "0", "data.dir", data.toString(),
                "memory.lmtp-port", Integer.toString(LocalCluster.freePort()))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private Map<String, Object> run(String... args) throws Exception {
        RunOptions options = EasBench.parse(args);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        BenchRun run = new BenchRun(options, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(run.run()).isZero();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("scenario").contains("report:");
        assertThat(options.out().resolve("report.json")).exists();
        return run.report().json();
    }

    @Test
    void idleThenWake() throws Exception {
        String url = "http://127.0.0.1:" + gateway.port();
        Map<String, Object> idle = run("idle", "--devices", "20", "--duration", "3s", "--url", url, "--password",
                "e2e-secret", "--user-prefix", "idle", "--out", out.resolve("idle").toString(), "--settle", "0s",
                "--in-process-workers", "--gateway-pid", Long.toString(ProcessHandle.current().pid()));
        assertThat(idle.get("parked")).isEqualTo(20L);
        assertThat(idle.get("errors")).isEqualTo(0L);
        assertThat(idle).containsKeys("rss_bytes_per_parked_device", "heap_bytes_per_parked_device");

        Map<String, Object> wake = run("wake", "--devices", "20", "--rate", "10", "--duration", "1s", "--url", url,
                "--password", "e2e-secret", "--user-prefix", "wake", "--out", out.resolve("wake").toString(),
                "--settle", "0s", "--in-process-workers", "--miss-timeout", "5s");
        assertThat(wake.get("errors")).isEqualTo(0L);
        @SuppressWarnings("unchecked")
        Map<String, Object> figures = (Map<String, Object>) wake.get("wake");
        assertThat(figures.get("changes")).isEqualTo(10L);
        assertThat(figures.get("woken")).isEqualTo(10L);
        assertThat(figures.get("misses")).isEqualTo(0L);
        assertThat(figures.get("false_wakes")).isEqualTo(0L);
        assertThat(figures.get("p50_ms")).isNotNull();
        assertThat(figures.get("max_ms")).isNotNull();
        assertThat(out.resolve("wake").resolve("wake.hgrm")).exists();

        Map<String, Object> delivered = run("wake", "--devices", "20", "--rate", "10", "--duration", "1s", "--url",
                url, "--changes", "lmtp", "--lmtp", "127.0.0.1:" + gateway.lmtpPort(), "--password", "e2e-secret",
                "--user-prefix", "lmtp", "--out", out.resolve("lmtp").toString(), "--settle", "0s",
                "--in-process-workers", "--miss-timeout", "5s", "--wake-warm-up", "500ms");
        assertThat(delivered.get("errors")).isEqualTo(0L);
        @SuppressWarnings("unchecked")
        Map<String, Object> byMail = (Map<String, Object>) delivered.get("wake");
        assertThat(byMail.get("change_source")).isEqualTo("lmtp");
        assertThat(byMail.get("changes")).isEqualTo(10L);
        assertThat(byMail.get("change_errors")).isEqualTo(0L);
        assertThat(byMail.get("woken")).isEqualTo(10L);
        assertThat(byMail.get("misses")).isEqualTo(0L);
        assertThat(byMail.get("false_wakes")).isEqualTo(0L);
        // the warm-up's 5 changes woke their devices too, but are counted apart from the measured 10
        @SuppressWarnings("unchecked")
        Map<String, Object> warmUp = (Map<String, Object>) byMail.get("warm_up");
        assertThat(warmUp.get("changes")).isEqualTo(5L);
        assertThat(warmUp.get("misses")).isEqualTo(0L);
        assertThat(warmUp.get("false_wakes")).isEqualTo(0L);
        // the window waited for the warm-up's wakes to park again, which takes well under the miss time-out here
        assertThat(((Number) warmUp.get("drain_seconds")).doubleValue()).isBetween(0.0, 10.0);

        Map<String, Object> storm = run("storm", "--devices", "20", "--url", url, "--password", "e2e-secret",
                "--user-prefix", "storm", "--out", out.resolve("storm").toString(), "--settle", "0s", "--storms", "2",
                "--in-process-workers", "--gateway-pid", Long.toString(ProcessHandle.current().pid()));
        assertThat(storm.get("errors")).isEqualTo(0L);
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) storm.get("storm");
        assertThat(first.get("complete")).isEqualTo(true);
        assertThat(first.get("parked_after")).isEqualTo(20L);
        // the second storm, once all were parked again, is reported apart (with the generators' count of re-Pings)
        @SuppressWarnings("unchecked")
        Map<String, Object> reparked = (Map<String, Object>) storm.get("storm_2");
        assertThat(reparked.get("complete")).isEqualTo(true);
        assertThat(reparked.get("parked_after")).isEqualTo(20L);
        assertThat(reparked.get("resent")).isEqualTo(20L);
        // the gateway runs in this process: its CPU over the storm, by thread group
        assertThat((Double) reparked.get("node_cpu_seconds")).isPositive();
        assertThat((Map<?, ?>) reparked.get("node_cpu_seconds_by_thread")).isNotEmpty();
        assertThat(reparked).containsKeys("node_cpu_ms_per_reping", "generator_cpu_ms_per_reping", "load_average");
    }
}
