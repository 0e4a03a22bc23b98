package dev.easgate.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.bench.cli.EasBench;
import dev.easgate.bench.cli.RunOptions;
import dev.easgate.bench.scenario.LatencyRecorder;
import dev.easgate.bench.scenario.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path dir;

    private static RunOptions options(String... args) {
        return EasBench.parse(args);
    }

    private static Properties workerResult(long changes, long woken, long misses, long falseWakes) {
        LatencyRecorder latency = new LatencyRecorder();
        for (int i = 1; i <= woken; i++) {
            latency.record(0, 500_000, i * 1_000_000L); // 1..woken ms
        }
        Properties p = new Properties();
        p.setProperty("set_up", "100");
        p.setProperty("errors", "1");
        p.setProperty("changes", Long.toString(changes));
        p.setProperty("woken", Long.toString(woken));
        p.setProperty("misses", Long.toString(misses));
        p.setProperty("false_wakes", Long.toString(falseWakes));
        p.setProperty("histogram.corrected", Worker.encode(latency.corrected()));
        p.setProperty("histogram.uncorrected", Worker.encode(latency.uncorrected()));
        p.setProperty("error.0.reason", "Ping HTTP 503 status null");
        p.setProperty("error.0.count", "1");
        return p;
    }

    @Test
    void wakeReportHasTheDocumentedKeys() throws Exception {
        Report report = new Report(options("wake", "--devices", "200", "--rate", "100", "--out", dir.toString()));
        report.machineAtStart();
        report.baseline(100_000_000L, 20_000_000L, List.of());
        report.fullyParked(200, 102_000_000L, 21_000_000L, List.of());
        report.phaseSeconds(1.0);
        report.nodeCost(0.5, 200L * 150 * 1024);
        report.workers(List.of(workerResult(100, 100, 0, 0), workerResult(100, 99, 1, 0)),
                List.of(new Report.Sample(0, 0, 0, 100_000_000L, 1), new Report.Sample(1, 200, 0, 101_000_000L, 2),
                        new Report.Sample(2, 200, 200, 102_000_000L, 2)));
        report.machineAtEnd();
        report.write(dir);

        Map<String, Object> json = report.json();
        assertThat(json).containsKeys("scenario", "devices", "parked", "errors", "rss_bytes_per_parked_device",
                "heap_bytes_per_parked_device", "wake", "memory", "samples", "settings", "machine", "versions");
        assertThat(json.get("rss_bytes_per_parked_device")).isEqualTo(10_000L);
        assertThat(json.get("errors")).isEqualTo(2L);
        @SuppressWarnings("unchecked")
        Map<String, Object> wake = (Map<String, Object>) json.get("wake");
        assertThat(wake).containsKeys("p50_ms", "p90_ms", "p99_ms", "p99_9_ms", "max_ms", "misses", "false_wakes",
                "rate_achieved_per_s");
        assertThat(wake.get("misses")).isEqualTo(1L);
        assertThat(wake.get("changes")).isEqualTo(200L);
        assertThat(wake.get("exactly_its_device")).isEqualTo(false);
        assertThat((double) wake.get("max_ms")).isBetween(99.0, 101.0);
        assertThat(wake.get("node_cpu_ms_per_change")).isEqualTo(2.5);
        assertThat(wake.get("node_allocated_kb_per_change")).isEqualTo(150.0);

        String text = Files.readString(dir.resolve("report.json"));
        assertThat(text).contains("\"scenario\": \"wake\"", "\"p99_ms\": ", "\"false_wakes\": 0",
                "\"rss_bytes_per_parked_device\": 10000");
        assertThat(dir.resolve("wake.hgrm")).content().contains("Percentile");
        assertThat(dir.resolve("latency.svg")).content().startsWith("<svg");
        assertThat(dir.resolve("rss.svg")).content().contains("polyline");
        assertThat(report.summaryTable()).contains("wake.p99_ms", "RSS per parked device");
    }

    @Test
    void perDeviceMemoryIsAboveTheBaseline() {
        assertThat(Report.perDevice(150_000_000L, 100_000_000L, 10_000)).isEqualTo(5_000L);
        assertThat(Report.perDevice(-1, 100, 10)).isNull();
        assertThat(Report.perDevice(100, 50, 0)).isNull();
    }

    @Test
    void jsonEscapesAndNests() {
        String json = Json.write(Map.of("a", List.of(1, 2.5, "x\"y"), "b", Map.of()));
        assertThat(json).contains("[1, 2.5, \"x\\\"y\"]").contains("\"b\": {}");
    }
}
