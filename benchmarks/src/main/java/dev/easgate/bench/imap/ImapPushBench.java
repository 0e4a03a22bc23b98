package dev.easgate.bench.imap;

import dev.easgate.bench.cluster.JvmOptions;
import dev.easgate.bench.cli.EasBench.DurationConverter;
import dev.easgate.bench.cluster.GatewayMetrics;
import dev.easgate.bench.cluster.LocalCluster;
import dev.easgate.bench.cluster.Loopback;
import dev.easgate.bench.cluster.ProcessMemory;
import dev.easgate.bench.cluster.StartedProcesses;
import dev.easgate.bench.device.DeviceIdentity;
import dev.easgate.bench.device.EasTransport;
import dev.easgate.bench.device.PingListener;
import dev.easgate.bench.device.SimulatedDevice;
import dev.easgate.bench.report.Json;
import dev.easgate.bench.report.Percentiles;
import dev.easgate.bench.report.SystemFacts;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code eas-bench imap-push}: what push from a stock IMAP server costs that server per parked user, and how soon a
 * delivered mail wakes its phone. Starts a real Dovecot with N users (stock limits), a {@link CountingProxy} in front
 * of its IMAP port, one gateway node ({@code --backend=imap}, the shipped watcher defaults unless
 * {@code --node-option} says otherwise), sets up and parks N simulated phones (one user each), then: a quiet window
 * (no mail: the watcher's own cost, connections held, logins and command lines per minute, Dovecot's CPU) and a
 * delivery window (mail over LMTP to random parked users at {@code --rate}: delivery-to-wake latency, and the cost
 * with the phones' Syncs included). Bounded by {@code --deadline}; everything started is stopped at the end.
 */
@Command(name = "eas-bench imap-push", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Push from a stock Dovecot: IMAP cost per parked user (connections held, logins and command "
                + "lines per minute) and delivery-to-wake latency.")
public final class ImapPushBench implements Callable<Integer> {
    private static final String PASSWORD = "bench-secret";
    private static final String DOMAIN = "bench.test";

    @Option(names = "--devices", paramLabel = "N", description = "parked phones, one user each (default: "
            + "${DEFAULT-VALUE})")
    int devices = 1000;

    @Option(names = "--quiet", paramLabel = "TIME", converter = DurationConverter.class,
            description = "window without mail: the watcher's own cost (default: 60s)")
    Duration quiet = Duration.ofSeconds(60);

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
            description = "window with deliveries (default: 120s)")
    Duration duration = Duration.ofSeconds(120);

    @Option(names = "--rate", paramLabel = "R", description = "deliveries per second (default: ${DEFAULT-VALUE})")
    double rate = 0.5;

    @Option(names = "--warm-up", paramLabel = "TIME", converter = DurationConverter.class,
            description = "wait after all are parked before the quiet window (default: 25s, a round and more)")
    Duration warmUp = Duration.ofSeconds(25);

    @Option(names = "--miss-timeout", paramLabel = "TIME", converter = DurationConverter.class,
            description = "a delivery not followed by its wake within this is a miss (default: 120s)")
    Duration missTimeout = Duration.ofSeconds(120);

    @Option(names = "--heartbeat", paramLabel = "SECONDS", description = "Ping HeartbeatInterval (default: "
            + "${DEFAULT-VALUE})")
    int heartbeat = 1800;

    @Option(names = "--push", description = "install the shipped Dovecot Lua push script (webhook to the node)")
    boolean push;

    @Option(names = "--setup-concurrency", paramLabel = "N", description = "first syncs in flight (default: "
            + "${DEFAULT-VALUE})")
    int setupConcurrency = 24;

    @Option(names = "--node-option", paramLabel = "KEY=VALUE", description = "extra gateway option, e.g. "
            + "watcher.interval=0")
    List<String> nodeOptions = new ArrayList<>();

    @Option(names = "--node-jvm-opts", paramLabel = "OPTS", description = "JVM options of the gateway node "
            + "(default: ${DEFAULT-VALUE})")
    String nodeJvmOpts = JvmOptions.SHIPPED;

    @Option(names = "--user-prefix", paramLabel = "P", description = "users are P000000, P000001, ... (default: "
            + "${DEFAULT-VALUE})")
    String userPrefix = "imap";

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: "
            + "bench-results/imap-push-TIMESTAMP)")
    Path out;

    @Option(names = "--deadline", paramLabel = "TIME", converter = DurationConverter.class,
            description = "hard limit of the whole run (default: 40m)")
    Duration deadline = Duration.ofMinutes(40);

    private final StartedProcesses started = new StartedProcesses();
    private final ConcurrentHistogram wakes = new ConcurrentHistogram(3_600_000_000L, 3);
    private final Map<Integer, Long> pending = new ConcurrentHashMap<>();
    private final AtomicLong falseWakes = new AtomicLong();
    private final AtomicLong pingFailures = new AtomicLong();
    private final Map<String, Long> failures = new ConcurrentHashMap<>();

    static String user(String prefix, int index) {
        return String.format(Locale.ROOT, "%s%06d", prefix, index);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ImapPushBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (devices < 1 || rate <= 0 || heartbeat < 1 || setupConcurrency < 1) {
            System.err.println("eas-bench imap-push: --devices, --rate, --heartbeat and --setup-concurrency must be "
                    + "positive");
            return 2;
        }
        Path root = Path.of(System.getProperty("eas.bench.root", ".")).toAbsolutePath().normalize();
        Path dir = out != null ? out : root.resolve("bench-results").resolve("imap-push-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        Files.createDirectories(dir);
        Thread limit = new Thread(() -> {
            try {
                Thread.sleep(deadline.toMillis());
                System.err.println("\neas-bench imap-push: the deadline of " + deadline.toSeconds()
                        + " s passed; stopping everything");
                started.stopAll();
                Runtime.getRuntime().halt(4);
            } catch (InterruptedException inTime) {
                // finished
            }
        }, "imap-push-deadline");
        limit.setDaemon(true);
        limit.start();
        List<SimulatedDevice> phones = new ArrayList<>();
        EasTransport transport = null;
        try (CountingProxy proxy = proxyFor(DovecotServer.prepare(dir.resolve("dovecot")))) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("scenario", "imap-push");
            report.put("devices", devices);
            report.put("push_script", push);
            report.put("node_options", nodeOptions);
            Map<String, Object> machine = new LinkedHashMap<>();
            machine.put("cpu", SystemFacts.cpuModel());
            machine.put("cpus", Runtime.getRuntime().availableProcessors());
            machine.put("memory_bytes", SystemFacts.memoryTotalBytes());
            machine.put("load_average_at_start", SystemFacts.loadAverage());
            machine.put("java", System.getProperty("java.version"));
            report.put("machine", machine);

            String token = "bench-push-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            List<String> options = new ArrayList<>(List.of("--backend=imap",
                    "--imap.url=imap://127.0.0.1:" + proxy.port(), "--imap.domain=" + DOMAIN));
            if (push) {
                options.add("--push.token=" + token);
            }
            nodeOptions.forEach(o -> options.add(o.startsWith("--") ? o : "--" + o));
            LocalCluster cluster = new LocalCluster();
            cluster.startNodes(1, new LocalCluster.NodeSettings(root.resolve("gateway-core/target/gateway-core.jar"),
                    JvmOptions.parse(nodeJvmOpts, root), PASSWORD, 1, devices * 2 + 100, devices * 2 + 1000, options), started, dir);
            LocalCluster.Node node = cluster.nodes().get(0);
            Path script = root.resolve("gateway-backends/src/main/resources/dev/easgate/backends/imap/"
                    + "easgate-push.lua");
            dovecot.start(started, userPrefix, devices, PASSWORD, push ? script : null,
                    node.url() + "/push/v1/events", token);
            report.put("dovecot_greeting", dovecot.greeting());
            progress("Dovecot and the gateway node are up; setting up " + devices + " phones");

            transport = new EasTransport(Loopback.sourceAddresses(2, 2), devices / 2 + 200, "14.1");
            SimulatedDevice.DeviceSettings settings = new SimulatedDevice.DeviceSettings(heartbeat, 50, 1024,
                    Duration.ofSeconds(60));
            for (int i = 0; i < devices; i++) {
                String user = user(userPrefix, i);
                phones.add(new SimulatedDevice(i, new DeviceIdentity(node.url(), user, PASSWORD, user + "@" + DOMAIN,
                        "IMAPBENCH" + i), transport, settings));
            }
            long setupStart = System.nanoTime();
            AtomicLong setUp = new AtomicLong();
            Map<Integer, Boolean> ready = new ConcurrentHashMap<>();
            Flux.fromIterable(phones)
                    .flatMap(phone -> phone.firstSync().doOnSuccess(v -> {
                                setUp.incrementAndGet();
                                ready.put(phone.index(), Boolean.TRUE);
                            })
                            .onErrorResume(e -> {
                                failures.merge("set-up: " + SimulatedDevice.describe(e), 1L, Long::sum);
                                return Mono.empty();
                            }), setupConcurrency)
                    .blockLast(Duration.ofMinutes(30));
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            progress(setUp.get() + " set up in " + Math.round(setupSeconds) + " s; parking");
            report.put("set_up", setUp.get());
            report.put("set_up_seconds", round(setupSeconds));

            PingListener listener = new Listener();
            phones.stream().filter(p -> ready.containsKey(p.index())).forEach(p -> p.startPinging(listener));
            long parked = awaitParked(node.url(), setUp.get(), Duration.ofSeconds(600));
            report.put("parked", parked);
            progress(parked + " parked; warming up " + warmUp.toSeconds() + " s");
            Thread.sleep(warmUp.toMillis());

            progress("quiet window " + quiet.toSeconds() + " s (no mail)");
            report.put("quiet", window(proxy, node, quiet, false, parked));
            progress("delivery window " + duration.toSeconds() + " s at " + rate + "/s");
            Map<String, Object> delivering = window(proxy, node, duration, true, parked);
            long waitUntil = System.nanoTime() + missTimeout.toNanos();
            while (!pending.isEmpty() && System.nanoTime() < waitUntil) {
                Thread.sleep(100);
            }
            delivering.put("misses", pending.size());
            delivering.put("false_wakes", falseWakes.get());
            delivering.put("wake", Percentiles.summary(wakes));
            report.put("deliveries", delivering);
            report.put("ping_failures", pingFailures.get());
            report.put("failures", new LinkedHashMap<>(failures));
            report.put("gateway_rss_bytes", ProcessMemory.rssBytes(node.pid()));
            report.put("load_average_at_end", SystemFacts.loadAverage());
            Files.writeString(dir.resolve("report.json"), Json.write(report));
            Files.writeString(dir.resolve("wake.hgrm"), Percentiles.hgrm(wakes));
            System.out.print(summary(report));
            System.out.println("report: " + dir.resolve("report.json"));
            return 0;
        } finally {
            phones.forEach(SimulatedDevice::stop);
            if (transport != null) {
                transport.close();
            }
            started.close();
            limit.interrupt();
        }
    }

    private DovecotServer dovecot;

    private CountingProxy proxyFor(DovecotServer server) throws java.io.IOException {
        this.dovecot = server;
        return new CountingProxy(server.imapPort());
    }

    /** One measured window: IMAP counts, connections open (sampled each second), CPU; deliveries when asked. */
    private Map<String, Object> window(CountingProxy proxy, LocalCluster.Node node, Duration length,
                                       boolean deliver, long parked) throws Exception {
        CountingProxy.Counts before = proxy.counts();
        double dovecotCpu = dovecot.cpuSeconds();
        double gatewayCpu = ProcStat.ticks(node.pid(), false) / ProcStat.TICKS_PER_SECOND;
        long start = System.nanoTime();
        long end = start + length.toNanos();
        long intervalNanos = (long) (1e9 / rate);
        long nextDelivery = start + intervalNanos / 2;
        long nextSample = start;
        int samples = 0;
        long openSum = 0;
        int openMax = 0;
        int openMin = Integer.MAX_VALUE;
        long delivered = 0;
        long deliveryErrors = 0;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            if (now >= nextSample) {
                int open = proxy.counts().open();
                openSum += open;
                openMax = Math.max(openMax, open);
                openMin = Math.min(openMin, open);
                samples++;
                nextSample += 1_000_000_000L;
            }
            if (deliver && now >= nextDelivery) {
                nextDelivery += intervalNanos;
                int index = pickParked();
                if (index >= 0) {
                    // from the LMTP connection on: the push script posts before LMTP answers 250
                    pending.put(index, System.nanoTime());
                    try {
                        dovecot.deliver(user(userPrefix, index), "bench " + delivered);
                        delivered++;
                    } catch (java.io.IOException e) {
                        pending.remove(index);
                        deliveryErrors++;
                    }
                }
            }
            Thread.sleep(5);
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        CountingProxy.Counts counted = proxy.counts().since(before);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("seconds", round(minutes * 60));
        figures.put("connections_open_avg", samples == 0 ? null : round((double) openSum / samples));
        figures.put("connections_open_min", samples == 0 ? null : openMin);
        figures.put("connections_open_max", openMax);
        figures.put("logins_per_min", round(counted.opened() / minutes));
        figures.put("command_lines_per_min", round(counted.commandLines() / minutes));
        figures.put("command_lines_per_min_per_parked_user", round(counted.commandLines() / minutes / parked));
        figures.put("logins_per_min_per_parked_user", round(counted.opened() / minutes / parked));
        Map<String, Object> perCommand = new LinkedHashMap<>();
        counted.commands().forEach((name, count) -> perCommand.put(name, round(count / minutes)));
        figures.put("per_min_by_command", perCommand);
        figures.put("dovecot_cpu_seconds_per_min", round((dovecot.cpuSeconds() - dovecotCpu) / minutes));
        figures.put("gateway_cpu_seconds_per_min", round((ProcStat.ticks(node.pid(), false)
                / ProcStat.TICKS_PER_SECOND - gatewayCpu) / minutes));
        if (deliver) {
            figures.put("delivered", delivered);
            figures.put("delivery_errors", deliveryErrors);
        }
        return figures;
    }

    /** A random phone whose Ping is held now and that waits for no delivery; -1 when none after some tries. */
    private int pickParked() {
        for (int tries = 0; tries < 100; tries++) {
            int index = ThreadLocalRandom.current().nextInt(devices);
            if (!pending.containsKey(index) && held.containsKey(index)) {
                return index;
            }
        }
        return -1;
    }

    /** Phones whose Ping is written and not answered (kept by the listener). */
    private final Map<Integer, Boolean> held = new ConcurrentHashMap<>();

    private final class Listener implements PingListener {
        @Override
        public void sent(SimulatedDevice device) {
            held.put(device.index(), Boolean.TRUE);
        }

        @Override
        public void changed(SimulatedDevice device, List<String> folderIds, long atNanos) {
            held.remove(device.index());
            Long deliveredAt = pending.remove(device.index());
            if (deliveredAt == null) {
                falseWakes.incrementAndGet();
            } else {
                wakes.recordValue(Math.max(0, (atNanos - deliveredAt) / 1000));
            }
        }

        @Override
        public void expired(SimulatedDevice device) {
            held.remove(device.index());
        }

        @Override
        public void failed(SimulatedDevice device, String reason) {
            held.remove(device.index());
            pingFailures.incrementAndGet();
            failures.merge("ping: " + reason, 1L, Long::sum);
        }
    }

    private static long awaitParked(URI node, long count, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long parked = 0;
        while (System.nanoTime() < deadline) {
            parked = GatewayMetrics.scrape(node).parkedPings();
            if (parked >= count) {
                return parked;
            }
            Thread.sleep(500);
        }
        return parked;
    }

    private static String summary(Map<String, Object> report) {
        StringBuilder out = new StringBuilder("\nimap-push: " + report.get("parked") + " parked of "
                + report.get("devices") + " (push script: " + report.get("push_script") + ", node options: "
                + report.get("node_options") + ")\n");
        for (String window : List.of("quiet", "deliveries")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> w = (Map<String, Object>) report.get(window);
            out.append(String.format(Locale.ROOT, "%-10s %5.0f s: connections open avg %s (max %s), logins/min %s,"
                            + " command lines/min %s (%s per parked user), Dovecot CPU s/min %s, gateway CPU s/min "
                            + "%s%n", window, ((Number) w.get("seconds")).doubleValue(),
                    w.get("connections_open_avg"), w.get("connections_open_max"), w.get("logins_per_min"),
                    w.get("command_lines_per_min"), w.get("command_lines_per_min_per_parked_user"),
                    w.get("dovecot_cpu_seconds_per_min"), w.get("gateway_cpu_seconds_per_min")));
            out.append("           by command per min: ").append(w.get("per_min_by_command")).append('\n');
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) report.get("deliveries");
        out.append("wake after delivery: ").append(d.get("wake")).append(", delivered ").append(d.get("delivered"))
                .append(", misses ").append(d.get("misses")).append(", false wakes ").append(d.get("false_wakes"))
                .append('\n');
        out.append("failures: ").append(report.get("failures")).append('\n');
        return out.toString();
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private void progress(String line) {
        System.err.println("imap-push: " + line);
    }
}
