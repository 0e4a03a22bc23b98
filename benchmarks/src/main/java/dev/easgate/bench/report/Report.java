package dev.easgate.bench.report;

import dev.easgate.bench.cli.BenchRun;
import dev.easgate.bench.cli.RunOptions;
import dev.easgate.bench.cluster.LocalCluster;
import dev.easgate.bench.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The report of one run, built up as the run goes and written as {@code report.json} (plus .hgrm and .svg files).
 * Top-level keys: scenario, devices, nodes, parked, errors, rss_bytes_per_parked_device,
 * heap_bytes_per_parked_device, memory, wake, sync, storm, idle (those that apply), errors_by_reason, samples,
 * settings, machine, versions, files, notes.
 */
public final class Report {
    /** One sample of the run: seconds since start, parked Pings, the nodes' RSS and heap in use (-1: unknown). */
    public record Sample(double seconds, long setUp, long parked, long rssBytes, long heapBytes) {
    }

    private final RunOptions options;
    private final Map<String, Object> root = new LinkedHashMap<>();
    /** Storms reported so far (eas-bench --storms runs several). */
    private int storms;
    private final Map<String, Object> memory = new LinkedHashMap<>();
    private final Map<String, Object> machine = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, String> files = new LinkedHashMap<>();
    private Histogram corrected;
    private Histogram uncorrected;
    private List<Sample> samples = List.of();
    private long baselineRss = -1;
    private long baselineHeap = -1;
    private double phaseSeconds;
    private double nodeCpuSeconds = -1;
    private long nodeAllocatedBytes = -1;
    private double generatorCpuSeconds = -1;
    private double wakeWarmUpSeconds;
    private double wakeWarmUpDrainSeconds;

    public Report(RunOptions options) {
        this.options = options;
        root.put("scenario", options.scenario().id());
        root.put("devices", options.devices());
        root.put("nodes", options.startsNodes() ? options.nodes() : options.urls().size());
        root.put("started_at", Instant.now().toString());
    }

    public Map<String, Object> json() {
        return root;
    }

    public void machineAtStart() {
        machine.put("cpu_model", SystemFacts.cpuModel());
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("memory_total_bytes", SystemFacts.memoryTotalBytes());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        machine.put("open_files_limit", SystemFacts.openFilesLimit());
        machine.put("load_average_at_start", SystemFacts.loadAverage());
    }

    public void machineAtEnd() {
        machine.put("load_average_at_end", SystemFacts.loadAverage());
    }

    public void cluster(LocalCluster cluster) {
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("redis", cluster.redisUrl().isEmpty() ? null : cluster.redisUrl());
        List<Object> nodes = new ArrayList<>();
        cluster.nodes().forEach(n -> nodes.add(Map.of("url", n.url().toString(), "pid", n.pid())));
        started.put("nodes", nodes);
        root.put("started", started);
    }

    public void baseline(long rssBytes, long heapBytes, List<Map<String, Object>> perNode) {
        baselineRss = rssBytes;
        baselineHeap = heapBytes;
        memory.put("baseline_rss_bytes", rssBytes < 0 ? null : rssBytes);
        memory.put("baseline_heap_used_bytes", heapBytes < 0 ? null : heapBytes);
        memory.put("baseline_per_node", perNode);
    }

    private long liveHeapBaseline = -1;
    private long setUpRss = -1;
    private long setUpLiveHeap = -1;

    public void liveHeapBaseline(long bytes) {
        liveHeapBaseline = bytes;
        memory.put("baseline_live_heap_bytes", bytes < 0 ? null : bytes);
    }

    /**
     * After every device's first sync, before any parks: what a set-up device costs on the server (its mailbox,
     * device and sync state), to tell it apart from what a parked Ping costs.
     */
    public void setUp(long devices, long rssBytes, long heapBytes, long liveHeapBytes) {
        setUpRss = rssBytes;
        setUpLiveHeap = liveHeapBytes;
        memory.put("set_up_devices", devices);
        memory.put("set_up_rss_bytes", rssBytes < 0 ? null : rssBytes);
        memory.put("set_up_heap_used_bytes", heapBytes < 0 ? null : heapBytes);
        memory.put("set_up_live_heap_bytes", liveHeapBytes < 0 ? null : liveHeapBytes);
        memory.put("rss_bytes_per_set_up_device", perDevice(rssBytes, baselineRss, devices));
        memory.put("live_heap_bytes_per_set_up_device", perDevice(liveHeapBytes, liveHeapBaseline, devices));
    }

    public void liveHeapParked(long bytes) {
        memory.put("parked_live_heap_bytes", bytes < 0 ? null : bytes);
        Object parked = root.get("parked");
        long count = parked instanceof Number n ? n.longValue() : 0;
        memory.put("live_heap_bytes_per_parked_device", perDevice(bytes, liveHeapBaseline, count));
        // the Ping alone: parked minus set-up, per device
        memory.put("rss_bytes_per_parked_ping", perDevice(rssAtParked, setUpRss, count));
        memory.put("live_heap_bytes_per_parked_ping", perDevice(bytes, setUpLiveHeap, count));
    }

    private long rssAtParked = -1;

    public void fullyParked(long parked, long rssBytes, long heapBytes, List<Map<String, Object>> perNode) {
        root.put("parked", parked);
        rssAtParked = rssBytes;
        memory.put("parked_rss_bytes", rssBytes < 0 ? null : rssBytes);
        memory.put("parked_heap_used_bytes", heapBytes < 0 ? null : heapBytes);
        memory.put("parked_per_node", perNode);
        root.put("rss_bytes_per_parked_device", perDevice(rssBytes, baselineRss, parked));
        root.put("heap_bytes_per_parked_device", perDevice(heapBytes, baselineHeap, parked));
    }

    private long redisBaseline = -1;
    private long redisSetUp = -1;

    /**
     * Redis's {@code used_memory} at a point of the run (nothing when the run started no Redis): per set-up device
     * against the baseline (its state keys), per parked device against the set-up point (the subscriptions).
     */
    public void redisMemory(String point, long usedBytes, long devices) {
        if (usedBytes < 0) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> redis = (Map<String, Object>) root.computeIfAbsent("redis", k -> new LinkedHashMap<>());
        redis.put(point + "_used_memory_bytes", usedBytes);
        switch (point) {
            case "baseline" -> redisBaseline = usedBytes;
            case "set_up" -> {
                redisSetUp = usedBytes;
                redis.put("used_memory_bytes_per_set_up_device", perDevice(usedBytes, redisBaseline, devices));
            }
            case "parked" -> redis.put("used_memory_bytes_per_parked_ping", perDevice(usedBytes, redisSetUp, devices));
            default -> { }
        }
    }

    /** (value − baseline) / parked, rounded; null when unknown. */
    public static Long perDevice(long value, long baseline, long parked) {
        if (value < 0 || baseline < 0 || parked <= 0) {
            return null;
        }
        return Math.round((double) (value - baseline) / parked);
    }

    public void atEnd(long parked, long rssBytes, long heapBytes) {
        memory.put("end_parked", parked);
        memory.put("end_rss_bytes", rssBytes < 0 ? null : rssBytes);
        memory.put("end_heap_used_bytes", heapBytes < 0 ? null : heapBytes);
    }

    public void phaseSeconds(double seconds) {
        phaseSeconds = seconds;
    }

    /**
     * What the nodes spent during the scenario's phase (RUN to the workers' DONE): CPU seconds from /proc and heap
     * bytes allocated from their /metrics; -1 when unknown (a foreign or remote server).
     */
    public void nodeCost(double cpuSeconds, long allocatedBytes) {
        nodeCpuSeconds = cpuSeconds;
        nodeAllocatedBytes = allocatedBytes;
    }

    /** The generator processes' CPU seconds during the scenario's phase (in-process generators: unknown, -1). */
    public void generatorCpu(double cpuSeconds) {
        generatorCpuSeconds = cpuSeconds;
    }

    /** wake: the length of the unmeasured round of changes before the measured one (eas-bench --wake-warm-up). */
    /** The wake warm-up's length, and how long its wakes took to park again after it (before the window). */
    public void wakeWarmUp(double seconds, double drainSeconds) {
        wakeWarmUpSeconds = seconds;
        wakeWarmUpDrainSeconds = drainSeconds;
    }

    public void storm(long parkedBefore, long parkedAfter, long minimumDuring, double seconds, boolean complete) {
        storms++;
        Map<String, Object> storm = new LinkedHashMap<>();
        storm.put("seconds", complete ? round3(seconds) : null);
        storm.put("complete", complete);
        storm.put("parked_before", parkedBefore);
        storm.put("parked_after", parkedAfter);
        storm.put("min_parked_during", minimumDuring);
        root.put(stormKey(), storm);
    }

    /** The first storm is {@code storm}, the ones after it (eas-bench --storms) {@code storm_2}, {@code storm_3}... */
    private String stormKey() {
        return storms <= 1 ? "storm" : "storm_" + storms;
    }

    /**
     * CPU seconds the nodes and the generator processes spent from the storm's start until every device was parked
     * again (from /proc, so a busy machine changes them less than the storm's duration), per re-Pinged device and by
     * thread group (event loops, GC, JIT...), and the load average at the end.
     */
    @SuppressWarnings("unchecked")
    public void stormCpu(double nodeSeconds, double generatorSeconds, String loadAverage,
                         Map<String, Double> nodeThreads, Map<String, Double> generatorThreads) {
        Map<String, Object> storm = (Map<String, Object>) root.computeIfAbsent(stormKey(),
                k -> new LinkedHashMap<String, Object>());
        long devices = Math.max(1, ((Number) storm.getOrDefault("parked_before", 1L)).longValue());
        storm.put("node_cpu_seconds", round3(nodeSeconds));
        storm.put("node_cpu_ms_per_reping", round3(nodeSeconds * 1000 / devices));
        storm.put("generator_cpu_seconds", round3(generatorSeconds));
        storm.put("generator_cpu_ms_per_reping", round3(generatorSeconds * 1000 / devices));
        storm.put("load_average", loadAverage);
        storm.put("node_cpu_seconds_by_thread", nodeThreads);
        storm.put("generator_cpu_seconds_by_thread", generatorThreads);
    }

    /** The run did not complete: the reason, and the samples taken so far. */
    public void failed(String reason, List<Sample> samplesSoFar) {
        root.put("failure", reason);
        samples = List.copyOf(samplesSoFar);
    }

    public void note(String note) {
        notes.add(note);
    }

    /** Merges the workers' result files and the samples into the report. */
    public void workers(List<Properties> results, List<Sample> samples) {
        this.samples = List.copyOf(samples);
        long errors = total(results, "errors") + total(results, "setup_failed");
        root.put("errors", errors);
        root.put("set_up", total(results, "set_up"));
        root.put("setup_failed", total(results, "setup_failed"));
        if (!options.scenario().parks()) {
            root.put("parked", 0);
        }
        root.putIfAbsent("parked", null);
        root.putIfAbsent("rss_bytes_per_parked_device", null);
        corrected = BenchRun.merge(results, "histogram.corrected");
        uncorrected = BenchRun.merge(results, "histogram.uncorrected");
        Scenario scenario = options.scenario();
        if (scenario == Scenario.IDLE) {
            Map<String, Object> idle = new LinkedHashMap<>();
            idle.put("hold_seconds", round3(phaseSeconds));
            idle.put("heartbeat_seconds", options.heartbeatSeconds());
            idle.put("heartbeats_expired", total(results, "heartbeats"));
            idle.put("pinging_at_stop", total(results, "pinging_at_stop"));
            root.put("idle", idle);
        } else if (scenario == Scenario.WAKE) {
            Map<String, Object> wake = new LinkedHashMap<>();
            long changes = total(results, "changes");
            wake.put("change_source", options.changes().id());
            wake.put("rate_target_per_s", options.rate());
            wake.put("rate_achieved_per_s", phaseSeconds > 0 ? round3(changes / Math.min(phaseSeconds,
                    options.duration().toMillis() / 1000.0)) : null);
            wake.put("changes", changes);
            wake.put("woken", total(results, "woken"));
            wake.put("misses", total(results, "misses"));
            wake.put("false_wakes", total(results, "false_wakes"));
            wake.put("late_wakes", total(results, "late_wakes"));
            wake.put("change_errors", total(results, "change_errors"));
            wake.put("skipped_no_parked_device", total(results, "skipped"));
            wake.put("exactly_its_device", total(results, "misses") == 0 && total(results, "false_wakes") == 0
                    && changes > 0);
            // the change, its wake, the woken device's Sync and its next Ping, plus what idle parked Pings cost
            wake.put("node_cpu_seconds", nodeCpuSeconds < 0 ? null : round3(nodeCpuSeconds));
            wake.put("node_cpu_ms_per_change", nodeCpuSeconds < 0 || changes == 0 ? null
                    : round3(nodeCpuSeconds * 1000 / changes));
            wake.put("node_allocated_kb_per_change", nodeAllocatedBytes < 0 || changes == 0 ? null
                    : round3(nodeAllocatedBytes / 1024.0 / changes));
            // the simulated phones and the LMTP client share the machine's cores with the nodes
            wake.put("generator_cpu_ms_per_change", generatorCpuSeconds <= 0 || changes == 0 ? null
                    : round3(generatorCpuSeconds * 1000 / changes));
            if (wakeWarmUpSeconds > 0) {
                Map<String, Object> warmUp = new LinkedHashMap<>();
                warmUp.put("seconds", round3(wakeWarmUpSeconds));
                warmUp.put("changes", total(results, "warm_up_changes"));
                warmUp.put("misses", total(results, "warm_up_misses"));
                warmUp.put("false_wakes", total(results, "warm_up_false_wakes"));
                warmUp.put("drain_seconds", round3(wakeWarmUpDrainSeconds));
                wake.put("warm_up", warmUp);
            }
            wake.putAll(Percentiles.summary(corrected));
            wake.put("uncorrected", Percentiles.summary(uncorrected));
            root.put("wake", wake);
        } else if (scenario == Scenario.SYNC) {
            Map<String, Object> sync = new LinkedHashMap<>();
            long operations = total(results, "operations");
            double seconds = Math.max(1e-9, phaseSeconds);
            sync.put("rate_target_per_s", options.rate());
            sync.put("operations", operations);
            sync.put("operations_per_s", round3(operations / seconds));
            sync.put("requests", total(results, "requests"));
            sync.put("requests_per_s", round3(total(results, "requests") / seconds));
            sync.put("skipped_all_busy", total(results, "skipped"));
            sync.putAll(Percentiles.summary(corrected));
            sync.put("uncorrected", Percentiles.summary(uncorrected));
            root.put("sync", sync);
        } else if (scenario == Scenario.STORM) {
            @SuppressWarnings("unchecked")
            Map<String, Object> storm = (Map<String, Object>) root.computeIfAbsent(stormKey(),
                    k -> new LinkedHashMap<String, Object>());
            storm.put("all_resent_seconds", round3(results.stream().mapToLong(r -> Long.parseLong(
                    r.getProperty("storm_all_sent_nanos", "0"))).max().orElse(0) / 1e9));
            storm.put("resent", total(results, "storm_resent"));
            storm.put("errors", errors);
        }
        Map<String, Long> reasons = new TreeMap<>();
        for (Properties result : results) {
            for (int i = 0; i < 10; i++) {
                String reason = result.getProperty("error." + i + ".reason");
                if (reason != null) {
                    reasons.merge(reason, Long.parseLong(result.getProperty("error." + i + ".count")), Long::sum);
                }
            }
        }
        root.put("errors_by_reason", reasons);
    }

    private static long total(List<Properties> results, String key) {
        return results.stream().mapToLong(r -> Long.parseLong(r.getProperty(key, "0"))).sum();
    }

    private static double round3(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** Writes report.json, the .hgrm files and the charts into {@code dir}. */
    public void write(Path dir) throws IOException {
        String latencyName = options.scenario() == Scenario.SYNC ? "sync" : "wake";
        if (corrected != null && corrected.getTotalCount() > 0) {
            Files.writeString(dir.resolve(latencyName + ".hgrm"), Percentiles.hgrm(corrected));
            Files.writeString(dir.resolve(latencyName + "-uncorrected.hgrm"), Percentiles.hgrm(uncorrected));
            files.put(latencyName + "_hgrm", latencyName + ".hgrm");
            files.put(latencyName + "_uncorrected_hgrm", latencyName + "-uncorrected.hgrm");
            Files.writeString(dir.resolve("latency.svg"), SvgChart.percentileCurve(
                    options.scenario().id() + " latency by percentile (" + corrected.getTotalCount() + " samples)",
                    "milliseconds", List.of(
                            new SvgChart.Series("from intended start (corrected)", curve(corrected)),
                            new SvgChart.Series("from issue (uncorrected)", curve(uncorrected)))));
            files.put("latency_chart", "latency.svg");
        }
        // devices are first set up (first sync), then parked: RSS against devices set up while setting up, and
        // against Pings parked once parking started
        List<double[]> setUpPoints = new ArrayList<>();
        List<double[]> parkedPoints = new ArrayList<>();
        List<double[]> heapPoints = new ArrayList<>();
        for (Sample s : samples) {
            if (s.rssBytes() <= 0) {
                continue;
            }
            if (s.parked() > 0) {
                parkedPoints.add(new double[] {s.parked(), s.rssBytes() / 1048576.0});
            } else if (parkedPoints.isEmpty()) {
                setUpPoints.add(new double[] {s.setUp(), s.rssBytes() / 1048576.0});
            }
            if (s.heapBytes() > 0 && parkedPoints.isEmpty()) {
                heapPoints.add(new double[] {s.setUp(), s.heapBytes() / 1048576.0});
            }
        }
        if (!setUpPoints.isEmpty() || !parkedPoints.isEmpty()) {
            List<SvgChart.Series> series = new ArrayList<>();
            series.add(new SvgChart.Series("RSS, x = devices set up (first sync done)", setUpPoints));
            series.add(new SvgChart.Series("heap in use, x = devices set up", heapPoints));
            if (!parkedPoints.isEmpty()) {
                series.add(new SvgChart.Series("RSS, x = Pings parked (all devices set up)", parkedPoints));
            }
            Files.writeString(dir.resolve("rss.svg"), SvgChart.lines("gateway memory against devices",
                    "devices", "MiB", series));
            files.put("rss_chart", "rss.svg");
        }
        List<Object> sampleList = new ArrayList<>();
        for (Sample s : samples) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t_s", round3(s.seconds()));
            m.put("set_up", s.setUp());
            m.put("parked", s.parked());
            m.put("rss_bytes", s.rssBytes());
            m.put("heap_used_bytes", s.heapBytes());
            sampleList.add(m);
        }
        root.put("memory", memory);
        root.put("samples", sampleList);
        root.put("settings", settings());
        root.put("machine", machine);
        root.put("versions", SystemFacts.versions(options.root()));
        files.put("report", "report.json");
        root.put("files", files);
        root.put("notes", notes);
        Files.writeString(dir.resolve("report.json"), Json.write(root));
    }

    private static List<double[]> curve(Histogram histogram) {
        List<double[]> points = new ArrayList<>();
        for (double p : new double[] {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999}) {
            points.add(new double[] {p, histogram.getValueAtPercentile(p) / 1000.0});
        }
        points.add(new double[] {100 - 1e-4, histogram.getMaxValue() / 1000.0});
        return points;
    }

    private Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("scenario", options.scenario().id());
        s.put("devices", options.devices());
        s.put("nodes", options.nodes());
        s.put("rate_per_s", options.rate());
        s.put("duration_s", options.duration().toMillis() / 1000.0);
        s.put("urls", options.urls().stream().map(Object::toString).toList());
        s.put("user_prefix", options.userPrefix());
        s.put("heartbeat_s", options.heartbeatSeconds());
        s.put("changes", options.changes().id());
        s.put("workers", options.workers());
        s.put("devices_per_worker", options.devicesPerWorker());
        s.put("sources_per_worker", options.sourcesPerWorker());
        s.put("setup_concurrency_per_worker", options.setupConcurrency());
        s.put("miss_timeout_s", options.missTimeout().toMillis() / 1000.0);
        s.put("node_jvm_options", options.nodeJvmOptions());
        s.put("worker_jvm_options", options.workerJvmOptions());
        s.put("node_options", options.nodeOptions());
        s.put("deadline_s", options.deadline().toSeconds());
        return s;
    }

    /** The summary table printed on stdout. */
    public String summaryTable() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"scenario", String.valueOf(root.get("scenario"))});
        rows.add(new String[] {"devices", String.valueOf(root.get("devices"))});
        rows.add(new String[] {"nodes", String.valueOf(root.get("nodes"))});
        rows.add(new String[] {"parked", String.valueOf(root.get("parked"))});
        rows.add(new String[] {"errors", String.valueOf(root.get("errors"))});
        if (memory.get("baseline_rss_bytes") != null) {
            rows.add(new String[] {"RSS baseline", mib(memory.get("baseline_rss_bytes"))});
        }
        if (memory.get("parked_rss_bytes") != null) {
            rows.add(new String[] {"RSS all parked", mib(memory.get("parked_rss_bytes"))});
        }
        if (root.get("rss_bytes_per_parked_device") != null) {
            rows.add(new String[] {"RSS per parked device", root.get("rss_bytes_per_parked_device") + " B"});
        }
        if (root.get("heap_bytes_per_parked_device") != null) {
            rows.add(new String[] {"heap per parked device", root.get("heap_bytes_per_parked_device") + " B"});
        }
        for (String key : List.of("rss_bytes_per_set_up_device", "live_heap_bytes_per_set_up_device",
                "live_heap_bytes_per_parked_device", "rss_bytes_per_parked_ping", "live_heap_bytes_per_parked_ping")) {
            if (memory.get(key) != null) {
                rows.add(new String[] {"memory." + key, memory.get(key) + " B"});
            }
        }
        if (root.get("redis") instanceof Map<?, ?> redis) {
            for (String key : List.of("used_memory_bytes_per_set_up_device", "used_memory_bytes_per_parked_ping")) {
                if (redis.get(key) != null) {
                    rows.add(new String[] {"redis." + key, redis.get(key) + " B"});
                }
            }
        }
        List<String> sections = new ArrayList<>(List.of("wake", "sync", "storm", "idle"));
        for (int storm = 2; storm <= storms; storm++) {
            sections.add("storm_" + storm);
        }
        for (String section : sections) {
            if (root.get(section) instanceof Map<?, ?> figures) {
                figures.forEach((k, v) -> {
                    if (!(v instanceof Map)) {
                        rows.add(new String[] {section + "." + k, String.valueOf(v)});
                    }
                });
            }
        }
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        StringBuilder table = new StringBuilder();
        String rule = "-".repeat(width + 2) + "+" + "-".repeat(24) + "\n";
        table.append(rule);
        for (String[] row : rows) {
            table.append(String.format(Locale.ROOT, " %-" + width + "s | %s%n", row[0], row[1]));
        }
        return table.append(rule).toString();
    }

    private static String mib(Object bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", ((Number) bytes).longValue() / 1048576.0);
    }
}
