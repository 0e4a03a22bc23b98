package dev.easgate.bench.cli;

import dev.easgate.bench.cluster.JvmOptions;
import dev.easgate.bench.cluster.Loopback;
import dev.easgate.bench.imap.ImapPushBench;
import dev.easgate.bench.scenario.ChangeSource;
import dev.easgate.bench.scenario.Scenario;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bin/eas-bench SCENARIO [options]}: the EAS device simulator and load generator. */
@Command(name = "eas-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Simulated phones speaking Exchange ActiveSync over HTTP: each device has its own user and DeviceId, "
                    + "does a phone's first sync (OPTIONS, Provision, FolderSync, Sync 0, Sync) and then its Ping "
                    + "loop.",
            "Scenarios: idle (park and hold; memory per parked device), wake (changes at --rate; change-to-wake "
                    + "latency, misses, false wakes), sync (new mail synced at --rate; requests/s, latency), storm "
                    + "(all re-Ping at once; time until parked again); imap-push (its own options: a real Dovecot, "
                    + "IMAP cost per parked user and delivery-to-wake latency; see eas-bench imap-push --help).",
            "Without --url it starts K gateway nodes (and Redis when K > 1) on loopback and stops them at the end. "
                    + "Writes DIR/report.json, .hgrm files and SVG charts; prints a summary table."},
        version = "eas-bench 0.1.0")
public final class EasBench implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SCENARIO", description = "idle, wake, sync or storm")
    String scenario;

    @Option(names = "--devices", paramLabel = "N", description = "simulated devices (default: ${DEFAULT-VALUE})")
    int devices = 1000;

    @Option(names = "--nodes", paramLabel = "K", description = "gateway nodes to start (default: ${DEFAULT-VALUE})")
    int nodes = 1;

    @Option(names = "--rate", paramLabel = "R",
            description = "changes (wake) or mails synced (sync) per second over all devices (default: "
                    + "${DEFAULT-VALUE})")
    double rate = 100;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
            description = "how long the scenario's phase lasts, e.g. 60s, 2m (default: 60s)")
    Duration duration = Duration.ofSeconds(60);

    @Option(names = "--url", paramLabel = "URL", split = ",",
            description = "EAS server(s) to load instead of starting nodes, e.g. http://127.0.0.1:8080 "
                    + "(users are spread over them by hash)")
    List<URI> urls = new ArrayList<>();

    @Option(names = "--user-prefix", paramLabel = "P",
            description = "user names are P000000, P000001, ... (default: ${DEFAULT-VALUE})")
    String userPrefix = "bench";

    @Option(names = "--password", paramLabel = "S",
            description = "password of every user (default: ${DEFAULT-VALUE}; started nodes use it as "
                    + "--memory.password)")
    String password = "bench-secret";

    @Option(names = "--mail-domain", paramLabel = "D",
            description = "domain of the users' addresses when the name has no @ (default: ${DEFAULT-VALUE})")
    String mailDomain = "example.com";

    @Option(names = "--out", paramLabel = "DIR",
            description = "output directory (default: bench-results/SCENARIO-TIMESTAMP)")
    Path out;

    @Option(names = "--heartbeat", paramLabel = "SECONDS",
            description = "Ping HeartbeatInterval (default: ${DEFAULT-VALUE})")
    int heartbeat = 600;

    @Option(names = "--changes", paramLabel = "SOURCE",
            description = "wake: how changes are made: sync (a second device of the user sends it a mail; works "
                    + "against any server), lmtp (mail delivered over LMTP to the user's store, as an MTA does: "
                    + "started nodes listen for it in their memory backend; with --url give --lmtp) or redis (lmtp "
                    + "with the started nodes on the Redis change bus, even one node) (default: ${DEFAULT-VALUE})")
    String changes = "sync";

    @Option(names = "--lmtp", paramLabel = "HOST:PORT", split = ",",
            description = "with --url and --changes=lmtp: the LMTP server that delivers to the users of each --url, "
                    + "in the same order (e.g. the Dovecot behind an IMAP-backed gateway)")
    List<String> lmtp = new ArrayList<>();

    @Option(names = "--allow-remote", description = "allow --url hosts outside 127.0.0.0/8 and localhost")
    boolean allowRemote;

    @Option(names = "--gateway-pid", paramLabel = "PID", split = ",",
            description = "with --url: local process id(s) of the server, for RSS from /proc")
    List<Long> gatewayPids = new ArrayList<>();

    @Option(names = "--devices-per-worker", paramLabel = "N",
            description = "most devices per generator process (one process holds at most ~19k sockets) "
                    + "(default: ${DEFAULT-VALUE})")
    int devicesPerWorker = 9000;

    @Option(names = "--sources-per-worker", paramLabel = "N",
            description = "127.0.0.x source addresses per generator process (default: ${DEFAULT-VALUE})")
    int sourcesPerWorker = 2;

    @Option(names = "--setup-concurrency", paramLabel = "N",
            description = "first syncs in flight per generator process (default: ${DEFAULT-VALUE})")
    int setupConcurrency = 48;

    @Option(names = "--miss-timeout", paramLabel = "TIME", converter = DurationConverter.class,
            description = "a change not followed by its wake within this is a miss (default: 10s)")
    Duration missTimeout = Duration.ofSeconds(10);

    @Option(names = "--node-jvm-opts", paramLabel = "OPTS",
            description = "JVM options of started gateway nodes (default: ${DEFAULT-VALUE})")
    String nodeJvmOpts = JvmOptions.SHIPPED;

    /**
     * The generators' JVM: a collector that does not stop them. One generator holds up to 9,000 devices, each with a
     * Ping in flight that lives until its wake (~18 s at 18,000 parked and 1,000 changes/s), so every young
     * collection copies thousands of them; SerialGC's pauses were 100-500 ms and G1's 25-40 ms every 2 s, each
     * delaying every wake due in that generator and counted as the server's latency. ZGC's pauses are under a
     * millisecond; the JIT's C2 halves the generators' CPU per change (0.64 to 0.36 ms) once warm.
     */
    static final String WORKER_JVM_OPTS = "-Xmx1g -XX:+UseZGC";

    @Option(names = "--worker-jvm-opts", paramLabel = "OPTS",
            description = "JVM options of generator processes (default: ${DEFAULT-VALUE})")
    String workerJvmOpts = WORKER_JVM_OPTS;

    @Option(names = "--seed", paramLabel = "demo|folders",
            description = "mailbox of each simulated user on started nodes: 'folders' (empty standard folders: the "
                    + "figures measure the gateway) or 'demo' (the seeded demo mailbox) (default: ${DEFAULT-VALUE})")
    String seed = "folders";

    @Option(names = "--node-option", paramLabel = "KEY=VALUE",
            description = "extra option for started gateway nodes, e.g. --node-option=request.max-concurrent=20000")
    List<String> nodeOptions = new ArrayList<>();

    @Option(names = "--deadline", paramLabel = "TIME", converter = DurationConverter.class,
            description = "hard limit of the whole run; everything is stopped after it (default: set-up allowance "
                    + "+ duration + 5 min)")
    Duration deadline;

    @Option(names = "--settle", paramLabel = "TIME", converter = DurationConverter.class,
            description = "pause after the warm-up before the memory baseline is read (default: 2s)")
    Duration settle = Duration.ofSeconds(2);

    @Option(names = "--storms", paramLabel = "N", description = "storm: how many storms, one after another once "
            + "all are parked again; the first meets code the node has not run yet (its JIT compiles the paths of "
            + "closing parked connections then), the later ones a warm node, as on a node that has run for a while "
            + "(default: 1)")
    int storms = 1;

    @Option(names = "--wake-warm-up", paramLabel = "TIME", converter = DurationConverter.class,
            description = "wake: changes at --rate for TIME before the measured --duration, not counted (reported "
                    + "apart as wake.warm_up), so the measured phase meets a node whose JIT has compiled the wake's "
                    + "paths, as on a node that has served for a while (default: 0s, none)")
    Duration wakeWarmUp = Duration.ZERO;

    @Option(names = "--in-process-workers", hidden = true, description = "run generators as threads (tests)")
    boolean inProcessWorkers;

    /** Parses and checks the command line into run options; throws ParameterException on bad input. */
    RunOptions toOptions(CommandLine commandLine) {
        Scenario parsedScenario;
        try {
            parsedScenario = Scenario.of(scenario);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, "unknown scenario '" + scenario
                    + "' (idle, wake, sync, storm)");
        }
        ChangeSource source;
        try {
            source = ChangeSource.of(changes);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, "--changes must be sync, lmtp or redis");
        }
        if (!urls.isEmpty() && source == ChangeSource.REDIS) {
            throw new CommandLine.ParameterException(commandLine, "--changes=redis starts the nodes on Redis; with "
                    + "--url use --changes=lmtp (the server's own bus carries the event)");
        }
        if (!urls.isEmpty() && source == ChangeSource.LMTP && lmtp.size() != urls.size()) {
            throw new CommandLine.ParameterException(commandLine, "--changes=lmtp with --url needs one --lmtp "
                    + "HOST:PORT per --url");
        }
        if (devices < 1 || nodes < 1 || storms < 1 || rate <= 0 || devicesPerWorker < 1 || sourcesPerWorker < 1
                || setupConcurrency < 1) {
            throw new CommandLine.ParameterException(commandLine,
                    "--devices, --nodes, --storms, --rate, --devices-per-worker, --sources-per-worker and "
                            + "--setup-concurrency must be positive");
        }
        if (wakeWarmUp.isNegative()) {
            throw new CommandLine.ParameterException(commandLine, "--wake-warm-up must not be negative");
        }
        if (heartbeat < 1) {
            throw new CommandLine.ParameterException(commandLine, "--heartbeat must be positive");
        }
        for (URI url : urls) {
            if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
                throw new CommandLine.ParameterException(commandLine, "--url must be http(s)://host:port, got "
                        + url);
            }
            if (!allowRemote && !Loopback.isLoopback(url)) {
                throw new CommandLine.ParameterException(commandLine, url + " is not on loopback (127.0.0.0/8 or "
                        + "localhost); load tests stay on this machine unless --allow-remote is given");
            }
        }
        Path root = Path.of(System.getProperty("eas.bench.root", ".")).toAbsolutePath().normalize();
        Path outDir = out != null ? out : root.resolve("bench-results").resolve(parsedScenario.id() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        Duration hardLimit = deadline != null ? deadline
                : BenchRun.setupLimit(devices).plus(duration).plus(missTimeout).plusMinutes(10);
        return new RunOptions(parsedScenario, devices, nodes, rate, duration, List.copyOf(urls), userPrefix,
                password, mailDomain, outDir, heartbeat, source, List.copyOf(lmtp), allowRemote, List.copyOf(gatewayPids),
                devicesPerWorker, sourcesPerWorker, setupConcurrency, missTimeout, JvmOptions.parse(nodeJvmOpts, root),
                JvmOptions.parse(workerJvmOpts, root), Stream.concat(Stream.of("--memory.seed=" + seed),
                        nodeOptions.stream().map(o -> o.startsWith("--") ? o : "--" + o)).toList(),
                root.resolve("gateway-core/target/gateway-core.jar"), root, inProcessWorkers, settle,
                hardLimit.plus(wakeWarmUp), storms, wakeWarmUp);
    }

    private CommandLine commandLine;

    @Override
    public Integer call() throws Exception {
        RunOptions options = toOptions(commandLine);
        try {
            return new BenchRun(options, System.out, System.err).run();
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("\neas-bench: " + e.getMessage());
            return 1;
        }
    }

    /** Parses {@code 60s}, {@code 2m}, {@code 500ms}, {@code 1h} or a plain number of seconds. */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                if (v.endsWith("s")) {
                    return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                }
                if (v.endsWith("m")) {
                    return Duration.ofSeconds(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60));
                }
                if (v.endsWith("h")) {
                    return Duration.ofSeconds(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 3600));
                }
                return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (e.g. 60s, 2m)");
            }
        }
    }

    /** A picocli command line for this command (also used by tests). */
    public static CommandLine commandLine() {
        EasBench command = new EasBench();
        CommandLine commandLine = new CommandLine(command);
        command.commandLine = commandLine;
        return commandLine;
    }

    /** Parses a command line into run options (throws picocli's ParameterException on bad input). */
    public static RunOptions parse(String... args) {
        CommandLine commandLine = commandLine();
        commandLine.parseArgs(args);
        return ((EasBench) commandLine.getCommand()).toOptions(commandLine);
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("imap-push")) {
            ImapPushBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(commandLine().execute(args));
    }
}
