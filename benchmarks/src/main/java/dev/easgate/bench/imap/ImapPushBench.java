package dev.easgate.bench.imap;

import dev.easgate.bench.cli.EasBench.DurationConverter;
import dev.easgate.bench.cluster.GatewayMetrics;
import dev.easgate.bench.cluster.JvmOptions;
import dev.easgate.bench.cluster.LocalCluster;
import dev.easgate.bench.cluster.Loopback;
import dev.easgate.bench.cluster.ProcStat;
import dev.easgate.bench.cluster.ProcessMemory;
import dev.easgate.bench.cluster.StartedProcesses;
import dev.easgate.bench.device.DeviceIdentity;
import dev.easgate.bench.device.EasTransport;
import dev.easgate.bench.device.PingListener;
import dev.easgate.bench.device.SimulatedDevice;
import dev.easgate.bench.report.Json;
import dev.easgate.bench.report.Percentiles;
import dev.easgate.bench.report.SystemFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * delivered mail wakes its phone. Starts a real Dovecot with N users (stock limits unless {@code --dovecot-large} or
 * {@code --dovecot-setting}), K gateway nodes ({@code --nodes}, sharing a Redis when K > 1; {@code --backend=imap},
 * the shipped watcher defaults unless {@code --node-option} says otherwise), each behind its own
 * {@link CountingProxy} process in front of Dovecot's IMAP port, sets up N simulated phones (one user each, spread over
 * the nodes, each parking its Ping right after its first sync), then, once all are parked: a quiet window
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

    @Option(names = "--nodes", paramLabel = "K", description = "gateway nodes sharing one Dovecot (and a Redis when"
            + " K > 1); phone i uses node i mod K (default: ${DEFAULT-VALUE})")
    int nodes = 1;

    @Option(names = "--dovecot-large", description = "add README's settings for a Dovecot that holds one connection"
            + " per parked user (imap process_limit, stats client_limit), sized for --devices")
    boolean dovecotLarge;

    @Option(names = "--dovecot-setting", paramLabel = "TEXT", description = "a line (or block) added to Dovecot's "
            + "configuration as it is, e.g. 'service imap { process_limit = 12000 }'")
    List<String> dovecotSettings = new ArrayList<>();

    @Option(names = "--dovecot-hibernate", paramLabel = "TIME", description = "Dovecot's imap_hibernate_timeout "
            + "(e.g. 30s) with the imap-master socket opened to imap-hibernate, as README's Dovecot guide gives: a held "
            + "connection idle in IDLE that long moves to the imap-hibernate process")
    String dovecotHibernate;

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
        if (devices < 1 || rate <= 0 || heartbeat < 1 || setupConcurrency < 1 || nodes < 1) {
            System.err.println("eas-bench imap-push: --devices, --rate, --heartbeat, --setup-concurrency and --nodes "
                    + "must be positive");
            return 2;
        }
        Path root = Path.of(System.getProperty("eas.bench.root", ".")).toAbsolutePath().normalize();
        Path dir = out != null ? out.toAbsolutePath() : root.resolve("bench-results").resolve("imap-push-"
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
        dovecot = DovecotServer.prepare(dir.resolve("dovecot"));
        try {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("scenario", "imap-push");
            report.put("devices", devices);
            report.put("nodes", nodes);
            report.put("push_script", push);
            report.put("node_options", nodeOptions);
            List<String> settings = new ArrayList<>();
            if (dovecotLarge) {
                settings.addAll(DovecotServer.large(devices));
            }
            if (dovecotHibernate != null) {
                settings.addAll(DovecotServer.hibernation(dovecotHibernate));
            }
            settings.addAll(dovecotSettings);
            report.put("dovecot_settings", settings);
            Map<String, Object> machine = new LinkedHashMap<>();
            machine.put("cpu", SystemFacts.cpuModel());
            machine.put("cpus", Runtime.getRuntime().availableProcessors());
            machine.put("memory_bytes", SystemFacts.memoryTotalBytes());
            machine.put("load_average_at_start", SystemFacts.loadAverage());
            machine.put("java", System.getProperty("java.version"));
            report.put("machine", machine);

            String token = "bench-push-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            String classPath = System.getProperty("java.class.path");
            for (int n = 0; n < nodes; n++) {
                proxies.add(ProxyProcess.start(started, dovecot.imapPort(), classPath,
                        dir.resolve("imap-proxy-" + n + ".log")));
            }
            LocalCluster cluster = new LocalCluster();
            if (nodes > 1) {
                cluster.startRedis(started, dir);
            }
            int perNode = (devices + nodes - 1) / nodes;
            List<LocalCluster.NodeSettings> nodeSettings = new ArrayList<>();
            for (int n = 0; n < nodes; n++) {
                // each node behind its own proxy: its IMAP figures apart
                List<String> options = new ArrayList<>(List.of("--backend=imap",
                        "--imap.url=imap://127.0.0.1:" + proxies.get(n).port(), "--imap.domain=" + DOMAIN));
                if (push) {
                    options.add("--push.token=" + token);
                }
                nodeOptions.forEach(o -> options.add(o.startsWith("--") ? o : "--" + o));
                nodeSettings.add(new LocalCluster.NodeSettings(root.resolve("gateway-core/target/gateway-core.jar"),
                        JvmOptions.parse(nodeJvmOpts, root), PASSWORD, 1, perNode * 2 + 100, perNode * 2 + 1000,
                        false, options));
            }
            cluster.startNodes(nodeSettings, started, dir);
            gateways.addAll(cluster.nodes());
            Path script = root.resolve("gateway-backends/src/main/resources/dev/easgate/backends/imap/"
                    + "easgate-push.lua");
            dovecot.start(started, userPrefix, devices, PASSWORD, push ? script : null,
                    gateways.get(0).url() + "/push/v1/events", token, settings);
            report.put("dovecot_greeting", dovecot.greeting());
            progress("Dovecot, " + nodes + " gateway node(s) and their IMAP proxies are up; setting up " + devices
                    + " phones");

            transport = new EasTransport(Loopback.sourceAddresses(2, 2), devices / 2 + 200, "14.1");
            SimulatedDevice.DeviceSettings deviceSettings = new SimulatedDevice.DeviceSettings(heartbeat, 50, 1024,
                    Duration.ofSeconds(60));
            for (int i = 0; i < devices; i++) {
                String user = user(userPrefix, i);
                phones.add(new SimulatedDevice(i, new DeviceIdentity(gateways.get(i % nodes).url(), user, PASSWORD,
                        user + "@" + DOMAIN, "IMAPBENCH" + i), transport, deviceSettings));
            }
            long setupStart = System.nanoTime();
            AtomicLong setUp = new AtomicLong();
            PingListener listener = new Listener();
            // each phone parks its Ping right after its first sync, as a phone does: its password was just checked
            // (auth.cache-seconds) and its set-up's IMAP connection is still open
            Flux.fromIterable(phones)
                    .flatMap(phone -> phone.firstSync().doOnSuccess(v -> {
                                setUp.incrementAndGet();
                                phone.startPinging(listener);
                            })
                            .onErrorResume(e -> {
                                failures.merge("set-up: " + SimulatedDevice.describe(e), 1L, Long::sum);
                                return Mono.empty();
                            }), setupConcurrency)
                    .blockLast(Duration.ofMinutes(30));
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            progress(setUp.get() + " set up in " + Math.round(setupSeconds) + " s; waiting until all are parked");
            report.put("set_up", setUp.get());
            report.put("set_up_seconds", round(setupSeconds));

            long parked = awaitParked(gateways, setUp.get(), Duration.ofSeconds(600));
            report.put("parked", parked);
            progress(parked + " parked; warming up " + warmUp.toSeconds() + " s");
            Thread.sleep(warmUp.toMillis());

            progress("quiet window " + quiet.toSeconds() + " s (no mail)");
            report.put("quiet", window(quiet, false, parked));
            // after the quiet window: every held connection is open and nothing else is going on
            report.put("dovecot_memory", dovecot.memory());
            progress("Dovecot memory: " + report.get("dovecot_memory"));
            progress("delivery window " + duration.toSeconds() + " s at " + rate + "/s");
            Map<String, Object> delivering = window(duration, true, parked);
            long waitUntil = System.nanoTime() + missTimeout.toNanos();
            while (!pending.isEmpty() && System.nanoTime() < waitUntil) {
                Thread.sleep(100);
            }
            delivering.put("misses", pending.size());
            // who missed and when the mail came (wall clock), to find them in the node's and Dovecot's logs
            List<String> missed = new ArrayList<>();
            long nowNanos = System.nanoTime();
            long nowMillis = System.currentTimeMillis();
            pending.forEach((index, at) -> missed.add(user(userPrefix, index) + " at "
                    + Instant.ofEpochMilli(nowMillis - (nowNanos - at) / 1_000_000)));
            delivering.put("missed", missed);
            delivering.put("false_wakes", falseWakes.get());
            delivering.put("wake", Percentiles.summary(wakes));
            report.put("deliveries", delivering);
            report.put("ping_failures", pingFailures.get());
            report.put("failures", new LinkedHashMap<>(failures));
            List<Long> rss = gateways.stream().map(g -> ProcessMemory.rssBytes(g.pid())).toList();
            report.put("gateway_rss_bytes", rss.stream().mapToLong(Long::longValue).sum());
            report.put("gateway_rss_bytes_by_node", rss);
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
            dovecot.stop(Duration.ofSeconds(30));
            started.close();
            limit.interrupt();
        }
    }

    private DovecotServer dovecot;
    private final List<ProxyProcess> proxies = new ArrayList<>();
    private final List<LocalCluster.Node> gateways = new ArrayList<>();

    /** Each node's proxy's counts now, in node order. */
    private List<CountingProxy.Counts> counts() throws java.io.IOException {
        List<CountingProxy.Counts> counts = new ArrayList<>();
        for (ProxyProcess proxy : proxies) {
            counts.add(proxy.counts());
        }
        return counts;
    }

    private static CountingProxy.Counts total(List<CountingProxy.Counts> counts) {
        return counts.stream().reduce(new CountingProxy.Counts(0, 0, Map.of()), CountingProxy.Counts::plus);
    }

    /**
     * One measured window: IMAP counts, connections open (sampled each second), CPU; deliveries when asked. Totals,
     * and with several nodes each node's figures under {@code by_node}.
     */
    private Map<String, Object> window(Duration length, boolean deliver, long parked) throws Exception {
        List<CountingProxy.Counts> before = counts();
        double dovecotCpu = dovecot.cpuSeconds();
        double[] gatewayCpu = gateways.stream()
                .mapToDouble(g -> ProcStat.ticks(g.pid(), false) / ProcStat.TICKS_PER_SECOND).toArray();
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
                int open = total(counts()).open();
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
        List<CountingProxy.Counts> after = counts();
        List<CountingProxy.Counts> byNode = new ArrayList<>();
        for (int n = 0; n < after.size(); n++) {
            byNode.add(after.get(n).since(before.get(n)));
        }
        CountingProxy.Counts counted = total(byNode);
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
        double gatewayTotal = 0;
        List<Map<String, Object>> nodeFigures = new ArrayList<>();
        for (int n = 0; n < gateways.size(); n++) {
            double cpu = (ProcStat.ticks(gateways.get(n).pid(), false) / ProcStat.TICKS_PER_SECOND - gatewayCpu[n])
                    / minutes;
            gatewayTotal += cpu;
            CountingProxy.Counts c = byNode.get(n);
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("node", n);
            node.put("connections_open_at_end", c.open());
            node.put("logins_per_min", round(c.opened() / minutes));
            node.put("command_lines_per_min", round(c.commandLines() / minutes));
            Map<String, Object> nodeCommands = new LinkedHashMap<>();
            c.commands().forEach((name, count) -> nodeCommands.put(name, round(count / minutes)));
            node.put("per_min_by_command", nodeCommands);
            node.put("gateway_cpu_seconds_per_min", round(cpu));
            nodeFigures.add(node);
        }
        figures.put("gateway_cpu_seconds_per_min", round(gatewayTotal));
        if (gateways.size() > 1) {
            figures.put("by_node", nodeFigures);
        }
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

    private static long awaitParked(List<LocalCluster.Node> nodes, long count, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long parked = 0;
        while (System.nanoTime() < deadline) {
            parked = 0;
            for (LocalCluster.Node node : nodes) {
                parked += Math.max(0, GatewayMetrics.scrape(node.url()).parkedPings());
            }
            if (parked >= count) {
                return parked;
            }
            Thread.sleep(500);
        }
        return parked;
    }

    private static String summary(Map<String, Object> report) {
        StringBuilder out = new StringBuilder("\nimap-push: " + report.get("parked") + " parked of "
                + report.get("devices") + " on " + report.get("nodes") + " node(s) (push script: "
                + report.get("push_script") + ", node options: " + report.get("node_options") + ", Dovecot settings: "
                + report.get("dovecot_settings") + ")\n");
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
            if (w.containsKey("by_node")) {
                out.append("           by node: ").append(w.get("by_node")).append('\n');
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) report.get("deliveries");
        out.append("wake after delivery: ").append(d.get("wake")).append(", delivered ").append(d.get("delivered"))
                .append(", misses ").append(d.get("misses")).append(", false wakes ").append(d.get("false_wakes"))
                .append('\n');
        if (!((List<?>) d.get("missed")).isEmpty()) {
            out.append("missed: ").append(d.get("missed")).append('\n');
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> memory = (Map<String, Object>) report.get("dovecot_memory");
        out.append("Dovecot memory after the quiet window: ").append(memory.get("processes")).append(" processes, PSS ")
                .append(Math.round(((Number) memory.get("pss_bytes")).doubleValue() / (1 << 20))).append(" MiB; ")
                .append(memory.get("by_name")).append('\n');
        out.append("load average at start / end: ").append(((Map<?, ?>) report.get("machine"))
                .get("load_average_at_start")).append(" / ").append(report.get("load_average_at_end")).append('\n');
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
