package dev.easgate.bench.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis (when K > 1) and K gateway nodes started as separate processes on loopback ({@code java -jar
 * gateway-core.jar}, {@code redis-server}), each logging to a file in the output directory. They are registered with
 * {@link StartedProcesses}, which stops them.
 */
public final class LocalCluster {
    /** glibc's malloc arenas of a node as packaging/bin/easgate sets them (README "JVM options"). */
    static final String SHIPPED_MALLOC_ARENAS = "2";

    /** One gateway node: its process id, base URL and LMTP port (-1: none). */
    public record Node(int number, long pid, URI url, Process process, int lmtpPort) {
        /** The node's LMTP server as HOST:PORT. */
        public String lmtp() {
            return "127.0.0.1:" + lmtpPort;
        }
    }

    /**
     * How to start the nodes.
     *
     * @param lmtp whether the node's memory backend accepts mail over LMTP ({@code memory.lmtp-port})
     */
    public record NodeSettings(Path gatewayJar, List<String> jvmOptions, String password, int heartbeatMin,
                               int parkedMax, int maxConcurrent, boolean lmtp, List<String> extraOptions) {
    }

    private final List<Node> nodes = new ArrayList<>();
    private String redisUrl = "";
    private int redisPort;
    private long redisPid = -1;

    public List<Node> nodes() {
        return nodes;
    }

    public String redisUrl() {
        return redisUrl;
    }

    public int redisPort() {
        return redisPort;
    }

    public long redisPid() {
        return redisPid;
    }

    public List<URI> urls() {
        return nodes.stream().map(Node::url).toList();
    }

    /** Starts {@code redis-server} on a free loopback port, without persistence. */
    public void startRedis(StartedProcesses started, Path outDir) throws IOException, InterruptedException {
        redisPort = freePort();
        Process redis = started.add(new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxclients", "1000")
                .redirectErrorStream(true).redirectOutput(outDir.resolve("redis.log").toFile()).start());
        redisPid = redis.pid();
        awaitPort(redisPort, redis, Duration.ofSeconds(10), "redis-server");
        redisUrl = "redis://127.0.0.1:" + redisPort;
    }

    /**
     * Copies the gateway jar and its lib/ into {@code outDir/gateway}, so a rebuild of the working tree during the
     * run (other work goes on) cannot pull classes from under the running nodes; returns the copied jar.
     */
    static Path snapshot(Path gatewayJar, Path outDir) throws IOException {
        Path target = outDir.resolve("gateway");
        Path targetLib = target.resolve("lib");
        Files.createDirectories(targetLib);
        Path lib = gatewayJar.resolveSibling("lib");
        if (Files.isDirectory(lib)) {
            try (var jars = Files.list(lib)) {
                for (Path jar : (Iterable<Path>) jars::iterator) {
                    Files.copy(jar, targetLib.resolve(jar.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path copy = target.resolve(gatewayJar.getFileName());
        Files.copy(gatewayJar, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return copy;
    }

    /** Starts {@code count} gateway nodes (from a snapshot of the jar) and waits until each answers /metrics. */
    public void startNodes(int count, NodeSettings settings, StartedProcesses started, Path outDir)
            throws IOException, InterruptedException {
        startNodes(java.util.Collections.nCopies(count, settings), started, outDir);
    }

    /**
     * Starts one gateway node per settings (each node its own, e.g. its own IMAP server address; the jar of the
     * first, snapshotted) and waits until each answers /metrics.
     */
    public void startNodes(List<NodeSettings> perNode, StartedProcesses started, Path outDir)
            throws IOException, InterruptedException {
        Path jar = snapshot(perNode.get(0).gatewayJar(), outDir);
        for (int n = 0; n < perNode.size(); n++) {
            NodeSettings settings = perNode.get(n);
            int port = freePort();
            List<String> command = new ArrayList<>();
            command.add(javaExecutable());
            command.addAll(settings.jvmOptions());
            if (settings.jvmOptions().stream().noneMatch(option -> option.startsWith("-Deasgate.log.level="))) {
                command.add("-Deasgate.log.level=WARN"); // a node's request lines would slow it under load
            }
            command.add("-jar");
            command.add(jar.toString());
            command.add("--port=" + port);
            command.add("--bind=127.0.0.1");
            command.add("--memory.password=" + settings.password());
            command.add("--heartbeat.min=" + settings.heartbeatMin());
            command.add("--parked.max=" + settings.parkedMax());
            command.add("--request.max-concurrent=" + settings.maxConcurrent());
            command.add("--shutdown.grace=2");
            if (!redisUrl.isEmpty()) {
                command.add("--redis=" + redisUrl);
            } else {
                // a single node keeps device state on disk: a fresh directory per run, beside its log
                command.add("--data.dir=" + outDir.resolve("node-" + n + "-data").toAbsolutePath());
            }
            int lmtpPort = -1;
            if (settings.lmtp()) {
                lmtpPort = freePort();
                command.add("--memory.lmtp-port=" + lmtpPort);
            }
            command.addAll(settings.extraOptions());
            Files.writeString(outDir.resolve("node-" + n + ".cmd"), String.join(" ", command) + "\n");
            ProcessBuilder node = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(outDir.resolve("node-" + n + ".log").toFile());
            // the malloc arenas bin/easgate starts a node with (unless the environment sets them)
            node.environment().putIfAbsent("MALLOC_ARENA_MAX", SHIPPED_MALLOC_ARENAS);
            Process process = started.add(node.start());
            nodes.add(new Node(n, process.pid(), URI.create("http://127.0.0.1:" + port), process,
                    lmtpPort));
        }
        for (Node node : nodes) {
            awaitMetrics(node, Duration.ofSeconds(60));
        }
    }

    private static void awaitMetrics(Node node, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.process().isAlive()) {
                throw new IllegalStateException("gateway node " + node.number() + " exited with "
                        + node.process().exitValue() + " (see node-" + node.number() + ".log)");
            }
            if (GatewayMetrics.scrape(node.url()).present()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("gateway node " + node.number() + " did not answer /metrics within "
                + limit.toSeconds() + " s");
    }

    private static void awaitPort(int port, Process process, Duration limit, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with " + process.exitValue());
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                if (socket.isConnected()) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(what + " did not listen on " + port + " within " + limit.toSeconds() + " s");
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
