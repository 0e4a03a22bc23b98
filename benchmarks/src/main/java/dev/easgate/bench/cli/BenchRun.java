package dev.easgate.bench.cli;

import dev.easgate.bench.cluster.GatewayMetrics;
import dev.easgate.bench.cluster.LocalCluster;
import dev.easgate.bench.cluster.Loopback;
import dev.easgate.bench.cluster.ProcStat;
import dev.easgate.bench.cluster.ProcessMemory;
import dev.easgate.bench.cluster.RedisMemory;
import dev.easgate.bench.cluster.StartedProcesses;
import dev.easgate.bench.cluster.WorkerHandle;
import dev.easgate.bench.device.DeviceIdentity;
import dev.easgate.bench.device.EasTransport;
import dev.easgate.bench.device.SimulatedDevice;
import dev.easgate.bench.report.Report;
import dev.easgate.bench.report.SystemFacts;
import dev.easgate.bench.scenario.ChangeSource;
import dev.easgate.bench.scenario.Scenario;
import dev.easgate.bench.scenario.Worker;
import dev.easgate.bench.scenario.WorkerSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Flux;

/**
 * One run: start Redis and the gateway nodes when no --url is given, warm them up and measure the baseline, fork the
 * generator workers (each ≤ devices-per-worker devices, on its own 127.0.0.x source addresses), follow their
 * progress while sampling the nodes' memory, drive the phases (set-up and parking, RUN, STOP), merge the workers'
 * results into one report, and stop everything it started, also on failure, deadline or Ctrl-C.
 */
public final class BenchRun {
    static final Duration SAMPLE_EVERY = Duration.ofMillis(500);
    /** How often a storm looks whether every device is parked again. */
    static final Duration STORM_POLL = Duration.ofMillis(100);

    private final RunOptions options;
    private final PrintStream out;
    private final PrintStream progress;
    private final StartedProcesses started = new StartedProcesses();
    private final LocalCluster cluster = new LocalCluster();
    private final List<WorkerState> workers = new ArrayList<>();
    private final List<Report.Sample> samples = new CopyOnWriteArrayList<>();
    private final List<URI> targets = new ArrayList<>();
    private final List<Long> gatewayPids = new ArrayList<>();
    private volatile long startNanos;
    private volatile String phase = "starting";
    private volatile boolean sampling = true;
    private Report report;

    /** What the orchestrator knows of one worker from its output lines. */
    static final class WorkerState {
        final Map<String, Long> progress = new ConcurrentHashMap<>();
        volatile boolean ready;
        volatile boolean done;
        volatile boolean warmed;
        volatile boolean parking;
        volatile boolean exited;
        volatile Path result;
        WorkerHandle handle;

        void accept(String line) {
            if (line.startsWith("PROGRESS ") || line.startsWith("READY ")) {
                for (String pair : line.substring(line.indexOf(' ') + 1).split(" ")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        progress.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
                    }
                }
                if (line.startsWith("READY ")) {
                    ready = true;
                }
            } else if (line.equals("PARKING")) {
                parking = true;
            } else if (line.equals("DONE")) {
                done = true;
            } else if (line.equals("WARMED")) {
                warmed = true;
            } else if (line.startsWith("RESULT ")) {
                result = Path.of(line.substring("RESULT ".length()).strip());
            } else if (line.equals("EXIT")) {
                exited = true;
            }
        }

        long get(String key) {
            return progress.getOrDefault(key, 0L);
        }
    }

    public BenchRun(RunOptions options, PrintStream out, PrintStream progress) {
        this.options = options;
        this.out = out;
        this.progress = progress;
    }

    /** Runs to the end and writes the report; returns the exit code. */
    public int run() throws Exception {
        Files.createDirectories(options.out());
        startNanos = System.nanoTime();
        Report report = new Report(options);
        this.report = report;
        report.machineAtStart();
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(options.deadline().toMillis());
                progress.println("\neas-bench: the overall deadline of " + options.deadline().toSeconds()
                        + " s passed; stopping everything");
                started.stopAll();
                Runtime.getRuntime().halt(4);
            } catch (InterruptedException finished) {
                // in time
            }
        }, "eas-bench-deadline");
        deadline.setDaemon(true);
        deadline.start();
        Thread sampler = new Thread(this::sample, "eas-bench-sampler");
        sampler.setDaemon(true);
        try {
            startTargets(report);
            warmUp();
            Thread.sleep(options.settle().toMillis());
            report.baseline(rssTotal(), heapTotal(), perNode());
            report.liveHeapBaseline(liveHeapTotal());
            report.redisMemory("baseline", RedisMemory.usedMemory(cluster.redisPort()), 0);
            sampler.start();
            startWorkers();
            phase = "set up";
            awaitAll(w -> w.ready, setupLimit(), "set-up");
            long setUp = sum("set_up");
            if (setUp == 0) {
                throw new IllegalStateException("no device completed its first sync (" + sum("failed")
                        + " failed; see the worker and node logs in " + options.out() + ")");
            }
            Thread.sleep(options.settle().toMillis());
            report.setUp(setUp, rssTotal(), heapTotal(), liveHeapTotal());
            report.redisMemory("set_up", RedisMemory.usedMemory(cluster.redisPort()), setUp);
            if (options.scenario().parks()) {
                phase = "parking";
                workers.forEach(w -> w.handle.send("PARK"));
                awaitAll(w -> w.parking, Duration.ofSeconds(60), "parking");
                awaitParked(setUp, Duration.ofSeconds(120));
                Thread.sleep(options.settle().toMillis());
                report.fullyParked(parkedNow(), rssTotal(), heapTotal(), perNode());
                report.liveHeapParked(liveHeapTotal());
                report.redisMemory("parked", RedisMemory.usedMemory(cluster.redisPort()), parkedNow());
            }
            if (options.scenario() == Scenario.WAKE && !options.wakeWarmUp().isZero()) {
                phase = "wake warm-up";
                workers.forEach(w -> w.handle.send("WARM-UP " + options.wakeWarmUp().toMillis()));
                awaitAll(w -> w.warmed, options.wakeWarmUp().plus(options.missTimeout()).plusSeconds(60),
                        "wake warm-up");
                // the measured window starts once the warm-up's wakes are parked again: a node still working off
                // a backlog (the warm-up began right after the parking burst) would put that backlog's queueing
                // into the window's tail, which is to measure a steady rate
                long drainStart = System.nanoTime();
                awaitParked(setUp, options.missTimeout().plusSeconds(20));
                report.wakeWarmUp(options.wakeWarmUp().toMillis() / 1000.0,
                        (System.nanoTime() - drainStart) / 1e9);
            }
            phase = options.scenario().id();
            long runStart = System.nanoTime();
            long parkedBefore = parkedNow();
            long cpuBefore = cpuTicksTotal();
            long allocatedBefore = allocatedTotal();
            double nodeCpu = ProcStat.seconds(gatewayPids);
            double generatorCpu = ProcStat.seconds(workerPids());
            Map<String, Double> nodeThreads = threadSeconds(gatewayPids);
            Map<String, Double> generatorThreads = threadSeconds(workerPids());
            int rounds = options.scenario() == Scenario.STORM ? options.storms() : 1;
            for (int round = 1; round <= rounds; round++) {
                if (round > 1) {
                    // the next storm once every device is parked again and the node has settled
                    Thread.sleep(options.settle().toMillis());
                    workers.forEach(w -> w.done = false);
                    parkedBefore = parkedNow();
                    nodeCpu = ProcStat.seconds(gatewayPids);
                    generatorCpu = ProcStat.seconds(workerPids());
                    nodeThreads = threadSeconds(gatewayPids);
                    generatorThreads = threadSeconds(workerPids());
                }
                long roundStart = System.nanoTime();
                workers.forEach(w -> w.handle.send("RUN"));
                if (options.scenario() == Scenario.STORM) {
                    followStorm(report, roundStart, parkedBefore);
                    report.stormCpu(ProcStat.seconds(gatewayPids) - nodeCpu,
                            ProcStat.seconds(workerPids()) - generatorCpu, SystemFacts.loadAverage(),
                            since(nodeThreads, threadSeconds(gatewayPids)),
                            since(generatorThreads, threadSeconds(workerPids())));
                }
                awaitAll(w -> w.done, runLimit(), options.scenario().id());
            }
            report.phaseSeconds((System.nanoTime() - runStart) / 1e9);
            long cpuAfter = cpuTicksTotal();
            long allocatedAfter = allocatedTotal();
            report.nodeCost(cpuBefore < 0 || cpuAfter < 0 ? -1 : (cpuAfter - cpuBefore) / 100.0,
                    allocatedBefore < 0 || allocatedAfter < 0 ? -1 : allocatedAfter - allocatedBefore);
            if (rounds == 1) {
                report.generatorCpu(ProcStat.seconds(workerPids()) - generatorCpu);
            }
            if (options.scenario().parks()) {
                report.atEnd(parkedNow(), rssTotal(), heapTotal());
            }
            phase = "stopping";
            workers.forEach(w -> w.handle.send("STOP"));
            awaitAll(w -> w.result != null || w.exited, Duration.ofSeconds(60), "results");
            for (WorkerState worker : workers) {
                worker.handle.await(10_000);
            }
            sampling = false;
            List<Properties> results = new ArrayList<>();
            for (WorkerState worker : workers) {
                if (worker.result != null && Files.exists(worker.result)) {
                    Properties p = new Properties();
                    try (Reader reader = Files.newBufferedReader(worker.result)) {
                        p.load(reader);
                    }
                    results.add(p);
                }
            }
            if (results.size() < workers.size()) {
                report.note((workers.size() - results.size()) + " worker(s) wrote no result");
            }
            report.workers(results, samples);
            report.machineAtEnd();
            report.write(options.out());
            progress.print(progressLine() + "\n");
            out.print(report.summaryTable());
            out.println("report: " + options.out().resolve("report.json"));
            return 0;
        } catch (Exception e) {
            // a failed run still leaves a report saying how far it got and why
            report.failed(e.getMessage() == null ? e.toString() : e.getMessage(), samples);
            try {
                report.write(options.out());
            } catch (IOException | RuntimeException writeFailure) {
                e.addSuppressed(writeFailure);
            }
            throw e;
        } finally {
            sampling = false;
            started.close();
            deadline.interrupt();
        }
    }

    private void startTargets(Report report) throws IOException, InterruptedException {
        if (!options.startsNodes()) {
            for (URI url : options.urls()) {
                if (!options.allowRemote() && !Loopback.isLoopback(url)) {
                    throw new IllegalArgumentException(url + " is not a loopback address (127.0.0.0/8, localhost); "
                            + "pass --allow-remote to load another machine");
                }
                targets.add(url);
            }
            gatewayPids.addAll(options.gatewayPids());
            return;
        }
        if (!Files.isRegularFile(options.gatewayJar())) {
            throw new IllegalStateException(options.gatewayJar() + " is missing; build first: mvn -q -B -DskipTests "
                    + "package");
        }
        phase = "starting nodes";
        if (options.nodes() > 1 || options.changes() == ChangeSource.REDIS) {
            cluster.startRedis(started, options.out());
        }
        cluster.startNodes(options.nodes(), new LocalCluster.NodeSettings(options.gatewayJar(),
                options.nodeJvmOptions(), options.password(), Math.min(options.heartbeatSeconds(), 5),
                Math.max(100_000, options.devices() * 2), 100_000, options.changes().delivers(),
                options.nodeOptions()), started, options.out());
        targets.addAll(cluster.urls());
        cluster.nodes().forEach(node -> gatewayPids.add(node.pid()));
        report.cluster(cluster);
    }

    /** A few devices per node do the first sync, so the baseline is taken with the code paths loaded. */
    private void warmUp() {
        phase = "warm-up";
        try (EasTransport transport = new EasTransport(List.of(), 64, "14.1")) {
            SimulatedDevice.DeviceSettings settings = new SimulatedDevice.DeviceSettings(60, 25, 512,
                    Duration.ofSeconds(30));
            List<SimulatedDevice> devices = new ArrayList<>();
            for (int node = 0; node < targets.size(); node++) {
                for (int i = 0; i < 5; i++) {
                    String user = options.userPrefix() + "warmup-" + node + "-" + i;
                    String address = user.contains("@") ? user : user + "@" + options.mailDomain();
                    devices.add(new SimulatedDevice(devices.size(), new DeviceIdentity(targets.get(node), user,
                            options.password(), address, "WARMUP" + i), transport, settings));
                }
            }
            // bounded per device and overall; a failed warm-up only makes the baseline less warm
            Flux.fromIterable(devices).flatMap(d -> d.firstSync().then(d.sendMailToSelf("warm-up"))
                    .then(d.syncInbox()).timeout(Duration.ofSeconds(30)).onErrorResume(e -> {
                        progress.println("warm-up: " + SimulatedDevice.describe(e));
                        return reactor.core.publisher.Mono.empty();
                    }), 8).take(Duration.ofSeconds(90)).blockLast(Duration.ofSeconds(120));
        }
    }

    private void startWorkers() throws IOException {
        int workerCount = options.workers();
        int perWorker = (options.devices() + workerCount - 1) / workerCount;
        String classPath = options.root().resolve("benchmarks/target/classes") + java.io.File.pathSeparator
                + options.root().resolve("benchmarks/target/lib/*");
        // LMTP changes go to each user's node: its own listener, or the server given for it with --url
        List<String> lmtp = !options.changes().delivers() ? List.of()
                : options.startsNodes() ? cluster.nodes().stream().map(LocalCluster.Node::lmtp).toList()
                : options.lmtpServers();
        for (int w = 0; w < workerCount; w++) {
            int first = w * perWorker;
            int count = Math.min(perWorker, options.devices() - first);
            WorkerSettings settings = new WorkerSettings(options.scenario(), targets, first, count,
                    options.userPrefix(), options.password(), options.mailDomain(), options.heartbeatSeconds(),
                    options.rate() * count / options.devices(), options.duration(),
                    options.inProcessWorkers() ? List.of() : Loopback.sourceAddresses(2 + w * options.sourcesPerWorker(),
                            options.sourcesPerWorker()),
                    options.changes(), lmtp, options.missTimeout(),
                    options.setupConcurrency(), 25, Duration.ofSeconds(30),
                    options.out().resolve("worker-" + w + ".result").toAbsolutePath(), options.deadline());
            WorkerState state = new WorkerState();
            workers.add(state);
            state.handle = options.inProcessWorkers() ? WorkerHandle.inThread(w, settings, state::accept)
                    : WorkerHandle.fork(w, settings, classPath, options.workerJvmOptions(),
                            options.out().resolve("worker-" + w + ".log"), started, state::accept);
        }
    }

    private interface Condition {
        boolean met(WorkerState worker);
    }

    private void awaitAll(Condition condition, Duration limit, String what) throws InterruptedException {
        long until = System.nanoTime() + limit.toNanos();
        while (!workers.stream().allMatch(w -> condition.met(w) || (w.exited && w.result == null))) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException(what + " did not finish within " + limit.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
        if (workers.stream().anyMatch(w -> w.exited && w.result == null)) {
            throw new IllegalStateException("a worker ended early (see worker-*.log in " + options.out() + ")");
        }
    }

    /** Waits until the nodes report {@code expected} parked Pings (or, for a foreign server, the workers do). */
    private void awaitParked(long expected, Duration limit) throws InterruptedException {
        long until = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < until && parkedNow() < expected) {
            Thread.sleep(100);
        }
    }

    /** The forked generator processes (none when the workers run in this process). */
    private List<Long> workerPids() {
        return options.inProcessWorkers() ? List.of() : workers.stream().map(w -> w.handle.pid()).toList();
    }

    /** CPU seconds so far of the processes' threads, by thread group, summed over the processes. */
    private static Map<String, Double> threadSeconds(List<Long> pids) {
        Map<String, Double> groups = new HashMap<>();
        pids.forEach(pid -> ProcStat.threadSeconds(pid).forEach((group, s) -> groups.merge(group, s, Double::sum)));
        return groups;
    }

    /** Each group's CPU seconds from {@code before} to {@code after}, largest first, leaving out those near 0. */
    static Map<String, Double> since(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> spent = new LinkedHashMap<>();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() >= 0.005)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> spent.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return spent;
    }

    /** Storm: how long until every device is parked again (per the nodes' gauge when they have one). */
    private void followStorm(Report report, long runStart, long parkedBefore) throws InterruptedException {
        long minimum = parkedBefore;
        long until = runStart + Duration.ofSeconds(120).toNanos();
        boolean allResent = false;
        while (System.nanoTime() < until) {
            long parked = parkedNow();
            minimum = Math.min(minimum, parked);
            allResent = allResent || workers.stream().allMatch(w -> w.done);
            if (allResent && parked >= parkedBefore) {
                break;
            }
            // each look is a scrape of every node's /metrics (2-3 ms of node CPU, with its process CPU and cgroup
            // reads): every 20 ms that was ~15 % of the node's CPU during a storm, so the storm's seconds are read to
            // STORM_POLL, no finer
            Thread.sleep(STORM_POLL.toMillis());
        }
        long parked = parkedNow();
        report.storm(parkedBefore, parked, minimum, (System.nanoTime() - runStart) / 1e9,
                parked >= parkedBefore && allResent);
    }

    /** Set-up allowance: generous, since a loaded 2-core machine sets up as few as ~30 devices/s. */
    static Duration setupLimit(int devices) {
        return Duration.ofSeconds(300 + devices / 20L);
    }

    private Duration setupLimit() {
        return setupLimit(options.devices());
    }

    private Duration runLimit() {
        return switch (options.scenario()) {
            case STORM -> Duration.ofSeconds(180);
            default -> options.duration().plus(options.missTimeout()).plusSeconds(90);
        };
    }

    /** Parked Pings: the nodes' gauge when they have /metrics, else the Pings the workers hold. */
    long parkedNow() {
        long total = 0;
        boolean present = false;
        for (URI target : targets) {
            GatewayMetrics.Snapshot snapshot = GatewayMetrics.scrape(target);
            if (snapshot.present()) {
                present = true;
                total += snapshot.parkedPings();
            }
        }
        return present ? total : sum("pinging");
    }

    private long rssTotal() {
        long total = 0;
        for (long pid : gatewayPids) {
            long rss = ProcessMemory.rssBytes(pid);
            if (rss < 0) {
                return -1;
            }
            total += rss;
        }
        return gatewayPids.isEmpty() ? -1 : total;
    }

    /** The nodes' CPU time (user + system) in clock ticks of 10 ms, -1 when not all of them are local. */
    private long cpuTicksTotal() {
        if (gatewayPids.isEmpty() || gatewayPids.size() != targets.size()) {
            return -1;
        }
        return gatewayPids.stream().mapToLong(pid -> ProcStat.ticks(pid, false)).sum();
    }

    /** Heap bytes the nodes allocated since they started (their /metrics), -1 when one does not say. */
    private long allocatedTotal() {
        long total = 0;
        for (URI target : targets) {
            long allocated = GatewayMetrics.scrape(target).allocatedBytes();
            if (allocated < 0) {
                return -1;
            }
            total += allocated;
        }
        return total;
    }

    private long heapTotal() {
        long total = 0;
        for (URI target : targets) {
            long heap = GatewayMetrics.scrape(target).heapUsedBytes();
            if (heap < 0) {
                return -1;
            }
            total += heap;
        }
        return total;
    }

    /**
     * Heap in use right after a full collection of every local node ({@code jcmd PID GC.run}, then /metrics): the
     * live data, free of garbage that happens not to be collected yet; -1 when unknown.
     */
    private long liveHeapTotal() {
        if (gatewayPids.isEmpty() || gatewayPids.size() != targets.size()
                || gatewayPids.contains(ProcessHandle.current().pid())) {
            return -1;
        }
        for (long pid : gatewayPids) {
            try {
                Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!jcmd.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    jcmd.destroyForcibly();
                    return -1;
                }
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return heapTotal();
    }

    private List<Map<String, Object>> perNode() {
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Map<String, Object> node = new HashMap<>();
            node.put("url", targets.get(i).toString());
            if (i < gatewayPids.size()) {
                node.put("pid", gatewayPids.get(i));
                node.put("rss_bytes", ProcessMemory.rssBytes(gatewayPids.get(i)));
            }
            GatewayMetrics.Snapshot snapshot = GatewayMetrics.scrape(targets.get(i));
            node.put("heap_used_bytes", snapshot.heapUsedBytes());
            node.put("parked", snapshot.parkedPings());
            nodes.add(new java.util.TreeMap<>(node));
        }
        return nodes;
    }

    private long sum(String key) {
        return workers.stream().mapToLong(w -> w.get(key)).sum();
    }

    private void sample() {
        boolean tty = System.console() != null;
        long lastPrinted = 0;
        while (sampling) {
            long parked = parkedNow();
            samples.add(new Report.Sample((System.nanoTime() - startNanos) / 1e9, sum("set_up"), parked, rssTotal(),
                    heapTotal()));
            long now = System.nanoTime();
            if (tty) {
                progress.print("\r" + progressLine() + "   ");
            } else if (now - lastPrinted > 5_000_000_000L) {
                progress.println(progressLine());
                lastPrinted = now;
            }
            try {
                Thread.sleep(SAMPLE_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String progressLine() {
        Report.Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "[%s %4.0fs] %s: set up %d/%d",
                options.scenario().id(), (System.nanoTime() - startNanos) / 1e9, phase, sum("set_up"),
                options.devices()));
        if (options.scenario().parks()) {
            line.append(" parked ").append(last == null ? 0 : last.parked());
        }
        line.append(" errors ").append(sum("errors") + sum("failed"));
        if (options.scenario() == Scenario.WAKE) {
            line.append(" changes ").append(sum("changes")).append(" woken ").append(sum("woken"))
                    .append(" misses ").append(sum("misses")).append(" false ").append(sum("false_wakes"));
        } else if (options.scenario() == Scenario.SYNC) {
            line.append(" operations ").append(sum("operations"));
        }
        if (last != null && last.rssBytes() > 0) {
            line.append(String.format(java.util.Locale.ROOT, " rss %.0f MB", last.rssBytes() / 1048576.0));
        }
        return line.toString();
    }

    /** The report of the run (complete once {@link #run()} returned). */
    public Report report() {
        return report;
    }

    /** Merges encoded histograms of the workers. */
    public static Histogram merge(List<Properties> results, String key) {
        Histogram merged = new Histogram(dev.easgate.bench.scenario.LatencyRecorder.HIGHEST_MICROS, 3);
        for (Properties result : results) {
            String encoded = result.getProperty(key);
            if (encoded != null) {
                merged.add(Worker.decode(encoded));
            }
        }
        return merged;
    }
}
