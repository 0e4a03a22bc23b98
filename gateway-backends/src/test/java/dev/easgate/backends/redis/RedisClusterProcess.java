package dev.easgate.backends.redis;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real three-master Redis Cluster for tests ({@code --cluster-replicas 0}), every node on a free loopback port,
 * built with {@code redis-cli --cluster create}. Shared through the test-jar:
 * <pre>{@code
 * try (RedisClusterProcess cluster = RedisClusterProcess.start()) {
 *     List<RedisURI> seeds = cluster.uris();
 * }
 * }</pre>
 * Fails with a clear message (never skips) when {@code redis-server} or {@code redis-cli} is missing.
 */
public final class RedisClusterProcess implements AutoCloseable {
    private static final int MASTERS = 3;
    private static final Duration FORMING = Duration.ofSeconds(20);

    private final List<RedisServerProcess> nodes;

    private RedisClusterProcess(List<RedisServerProcess> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Starts three masters, joins them into a cluster covering every slot, and waits for cluster_state:ok. */
    public static RedisClusterProcess start() {
        String cli = RedisServerProcess.executable("redis-cli");
        List<RedisServerProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < MASTERS; i++) {
                nodes.add(RedisServerProcess.start(freeClusterPort(), List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")));
            }
            List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
            nodes.forEach(node -> create.add(node.host() + ":" + node.port()));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create);
            RedisClusterProcess cluster = new RedisClusterProcess(nodes);
            cluster.awaitState();
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisServerProcess::close);
            throw e;
        }
    }

    public List<RedisServerProcess> nodes() {
        return nodes;
    }

    /** One URI per master: the seeds of a cluster client. */
    public List<RedisURI> uris() {
        return nodes.stream().map(RedisServerProcess::uri).toList();
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}, as the gateway's --redis option takes it. */
    public String clusterUri() {
        StringBuilder uri = new StringBuilder("redis-cluster://");
        for (int i = 0; i < nodes.size(); i++) {
            uri.append(i == 0 ? "" : ",").append(nodes.get(i).host()).append(':').append(nodes.get(i).port());
        }
        return uri.toString();
    }

    /** Sends a command to every node; their replies in node order. */
    public List<String> commandOnEveryNode(String... words) {
        return nodes.stream().map(node -> node.command(words)).toList();
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerProcess::close);
    }

    private void awaitState() {
        long deadline = System.nanoTime() + FORMING.toNanos();
        while (System.nanoTime() < deadline) {
            if (commandOnEveryNode("CLUSTER", "INFO").stream().allMatch(info -> info.contains("cluster_state:ok"))) {
                return;
            }
            RedisServerProcess.sleep(50);
        }
        throw new IllegalStateException("the Redis cluster does not reach cluster_state:ok: "
                + commandOnEveryNode("CLUSTER", "INFO"));
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A free port whose cluster bus port (port + 10000) is free too. */
    private static int freeClusterPort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 50_000);
            if (free(port) && free(port + 10_000)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port pair for a Redis cluster node");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
