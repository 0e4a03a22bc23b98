package dev.easgate.core.deployment;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.memory.MemoryBackend;
import dev.easgate.backends.redis.RedisServerProcess;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.testing.Loopback;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.http.EasEndpoint;
import dev.easgate.core.server.Gateway;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway nodes (shared Redis) behind a real nginx and a real HAProxy, each run by the test as its own process
 * on a free loopback port with the shipped configuration (only addresses changed, TLS off): a Ping parks through the
 * proxy and a change wakes it; a short heartbeat expires through it; the client address the proxy forwards is the
 * one the gateway logs.
 */
class ReverseProxyIntegrationTest {
    private static final String PUSH_TOKEN = "proxy-push-token";
    private static RedisServerProcess redis;
    private static Gateway nodeA;
    private static Gateway nodeB;
    private Path dir;
    private Process proxy;

    @BeforeAll
    static void startNodes() {
        redis = RedisServerProcess.start();
        // only the proxy's own address is trusted: the client's address below is another loopback address
        GatewayConfig config = GatewayConfig.from(Map.of("port", "0", "heartbeat.min", "1",
                "redis", "redis://127.0.0.1:" + redis.port(), "push.token", PUSH_TOKEN,
                "proxy.trusted", "127.0.0.1", "shutdown.ready-delay", "0"));
        Clock clock = Clock.systemUTC();
        MemoryBackend shared = Gateway.memoryBackend(config, clock);
        nodeA = Gateway.start(config, shared, clock);
        nodeB = Gateway.start(config, shared, clock);
    }

    @AfterAll
    static void stopNodes() {
        for (Gateway node : new Gateway[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void stopProxy() throws Exception {
        if (proxy != null) {
            proxy.destroy();
            if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private List<Integer> nodes() {
        return List.of(nodeA.port(), nodeB.port());
    }

    /** nginx with the shipped file, in the foreground, every path under a temporary prefix; its base URI. */
    private URI startNginx() throws Exception {
        dir = Files.createTempDirectory("easgate-nginx");
        int port = Loopback.freePort();
        Files.writeString(dir.resolve("easgate.conf"), ProxyConfigs.nginx(port, nodes()));
        // as root, nginx would hand its workers to "nobody", who cannot enter the test's private directory
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        Files.writeString(dir.resolve("nginx.conf"), user + """
                worker_processes 1;
                events { worker_connections 512; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    include %1$s/easgate.conf;
                }
                """.formatted(dir));
        proxy = new ProcessBuilder("nginx", "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(), "-g",
                "daemon off; pid " + dir.resolve("nginx.pid") + "; error_log " + dir.resolve("error.log") + " info;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        awaitListening(port, "error.log");
        return URI.create("http://127.0.0.1:" + port);
    }

    /** HAProxy with the shipped file, in the foreground; its base URI once both nodes pass the /readyz check. */
    private URI startHaproxy() throws Exception {
        dir = Files.createTempDirectory("easgate-haproxy");
        int port = Loopback.freePort();
        Path cfg = dir.resolve("easgate.cfg");
        Files.writeString(cfg, ProxyConfigs.haproxy(port, nodes()));
        proxy = new ProcessBuilder("haproxy", "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        awaitListening(port, "stdout.log");
        return URI.create("http://127.0.0.1:" + port);
    }

    private void awaitListening(int port, String log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!proxy.isAlive()) {
                throw new AssertionError("the proxy exited " + proxy.exitValue() + ": " + logs(log));
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the proxy does not listen: " + logs(log));
    }

    private String logs(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.exists(file) ? Files.readString(file) : "(no " + name + ")";
    }

    private static String inbox() {
        return nodeA.services().mailStore().folders("demo").filter(f -> f.type() == FolderType.INBOX)
                .blockFirst(Duration.ofSeconds(5)).id();
    }

    private static void markSynced(String deviceId, String folderId) {
        long now = nodeA.services().mailStore().changesSince("demo", folderId, 0).block(Duration.ofSeconds(5))
                .highestModSeq();
        nodeA.services().stateStore().replaceCollection(new DeviceKey("demo", deviceId), folderId, null,
                new CollectionState("1", now, Map.of(), "0", new byte[0], new byte[0])).block(Duration.ofSeconds(5));
    }

    private static WbxmlElement ping(long heartbeat, String folderId) {
        return el(CodePage.PING, "Ping").child("HeartbeatInterval", heartbeat)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", folderId).child("Class", "Email")))
                .build();
    }

    private static int parked() {
        return nodeA.services().heartbeat().parked() + nodeB.services().heartbeat().parked();
    }

    private static void awaitParked(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (parked() != count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(parked()).isEqualTo(count);
    }

    /** A Ping parks through the proxy, a change published on the node the proxy did not pick wakes it. */
    private void parkAndWake(URI proxied, String deviceId) throws Exception {
        EasTestClient phone = new EasTestClient(proxied, "demo", "demo", deviceId);
        assertThat(phone.provision().text("Status")).isEqualTo("1");
        String inbox = inbox();
        markSynced(deviceId, inbox);

        // a short heartbeat runs out through the proxy: status 1 (nothing changed)
        long started = System.nanoTime();
        EasTestClient.Response expired = phone.post("Ping", ping(2, inbox));
        assertThat(expired.status()).isEqualTo(200);
        assertThat(expired.text("Status")).isEqualTo("1");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(1900);

        awaitParked(0); // the expired park has left its node
        CompletableFuture<EasTestClient.Response> parkedPing = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", ping(300, inbox)));
        awaitParked(1);
        Gateway holding = nodeA.services().heartbeat().parked() > 0 ? nodeA : nodeB;
        Gateway other = holding == nodeA ? nodeB : nodeA;
        Thread.sleep(300); // the proxy holds the parked request open; nothing answers it yet
        assertThat(parkedPing).isNotDone();

        // the store's webhook, on the node's own network (not through the proxy), reaches any node
        HttpResponse<String> pushed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + other.port() + "/push/v1/events"))
                .header("Authorization", "Bearer " + PUSH_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"user\":\"demo\",\"t\":\"folder\",\"f\":\"" + inbox + "\"}\n")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pushed.statusCode()).isEqualTo(202);

        EasTestClient.Response woken = parkedPing.get(15, TimeUnit.SECONDS);
        assertThat(woken.status()).isEqualTo(200);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").children("Folder")).extracting(WbxmlElement::text)
                .containsExactly(inbox);
    }

    /**
     * A client on 127.0.0.5 (not trusted) sends made-up Forwarded and X-Forwarded-For headers through the proxy on
     * 127.0.0.1 (trusted): the gateway logs 127.0.0.5, the address the proxy saw.
     */
    private void forwardedAddress(URI proxied) throws Exception {
        try (LogCapture logs = LogCapture.of(EasEndpoint.class.getName());
             Socket client = new Socket()) {
            client.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.5"), 0));
            client.connect(new InetSocketAddress("127.0.0.1", proxied.getPort()), 5000);
            client.setSoTimeout(10_000);
            String credentials = Base64.getEncoder().encodeToString("mallory:wrong".getBytes(StandardCharsets.UTF_8));
            OutputStream out = client.getOutputStream();
            out.write(("OPTIONS /Microsoft-Server-ActiveSync HTTP/1.1\r\nHost: eas.example.com\r\n"
                    + "Authorization: Basic " + credentials + "\r\n"
                    + "X-Forwarded-For: 198.51.100.9\r\nForwarded: for=192.0.2.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = client.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 401");
            assertThat(logs.lines()).anyMatch(line -> line.contains("401 for OPTIONS: bad credentials for "
                    + "user=mallory from=127.0.0.5"));
            assertThat(logs.lines()).noneMatch(line -> line.contains("198.51.100.9") || line.contains("192.0.2.1"));
        }
    }

    @Test
    void aPingParksThroughNginxAndAChangeWakesIt() throws Exception {
        URI proxied = startNginx();
        parkAndWake(proxied, "nginx-phone");
        forwardedAddress(proxied);
        // nginx logged no upstream error (a read timeout would show here)
        assertThat(logs("error.log")).doesNotContain("upstream timed out").doesNotContain("[error]");
    }

    @Test
    void aPingParksThroughHaproxyAndAChangeWakesIt() throws Exception {
        URI proxied = startHaproxy();
        // the first /readyz checks mark both nodes up
        Thread.sleep(500);
        parkAndWake(proxied, "haproxy-phone");
        forwardedAddress(proxied);
        assertThat(logs("stdout.log")).doesNotContain("is DOWN");
    }
}
