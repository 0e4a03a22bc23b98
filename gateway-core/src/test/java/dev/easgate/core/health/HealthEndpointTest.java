package dev.easgate.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.testing.Loopback;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.server.Gateway;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.core.testing.SilentServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /healthz and /readyz over real HTTP in each state of a node: starting, ready, draining. */
class HealthEndpointTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The node's device state (data.dir), out of the source tree. */
    @TempDir
    Path data;

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String requestsTotal(GatewayTestServer server) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (String line : get(server.uri(), "/metrics").body().split("\n")) {
            if (line.startsWith("easgate_requests_total")) {
                lines.append(line).append('\n');
            }
        }
        return lines.toString();
    }

    @Test
    void aReadyNodeAnswersOkWithoutLoginNeverCachedAndUncounted() throws Exception {
        try (GatewayTestServer server = GatewayTestServer.start(); LogCapture logs = LogCapture.root()) {
            assertThat(server.gateway().readiness().state()).isEqualTo(Readiness.State.READY);
            server.client("demo", "health-phone").options(); // one EAS request, counted
            String before = requestsTotal(server);
            assertThat(before).contains("OPTIONS");

            for (String path : new String[] {"/healthz", "/readyz", "/readyz?verbose=1"}) {
                HttpResponse<String> response = get(server.uri(), path);
                assertThat(response.statusCode()).as(path).isEqualTo(200);
                assertThat(response.body()).as(path).isEqualTo("ok\n");
                assertThat(response.headers().firstValue("Cache-Control")).as(path).hasValue("no-store");
                assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            }
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/readyz"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            HttpResponse<Void> head = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/healthz"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(200);

            // not EAS requests: neither in the request metrics nor in the log
            assertThat(requestsTotal(server)).isEqualTo(before);
            assertThat(logs.lines()).noneMatch(line -> line.contains("healthz") || line.contains("readyz"));
        }
    }

    @Test
    void aStartingNodeAnswers503UntilItsBackendsHaveBeenProbed() throws Exception {
        int port = Loopback.freePort();
        try (SilentServer dav = SilentServer.start()) {
            // a DAV server that never answers holds the start for the probe timeout (2 s)
            CompletableFuture<Gateway> starting = CompletableFuture.supplyAsync(() -> Gateway.start(GatewayConfig.from(
                    Map.of("port", Integer.toString(port), "dav.url", "http://127.0.0.1:" + dav.port() + "/",
                            "startup.probe-timeout", "2", "data.dir", data.toString()))));
            URI base = URI.create("http://127.0.0.1:" + port);
            HttpResponse<String> readyz = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (readyz == null && System.nanoTime() < deadline && !starting.isDone()) {
                try {
                    readyz = get(base, "/readyz");
                } catch (java.net.ConnectException notYetListening) {
                    Thread.sleep(20);
                }
            }
            assertThat(readyz).as("the server listens before the probes end").isNotNull();
            assertThat(readyz.statusCode()).isEqualTo(503);
            assertThat(readyz.body()).isEqualTo("starting\n");
            assertThat(readyz.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(get(base, "/healthz").statusCode()).isEqualTo(200);

            try (Gateway gateway = starting.get(10, TimeUnit.SECONDS)) {
                assertThat(get(base, "/readyz").statusCode()).isEqualTo(200);
                assertThat(gateway.readiness().ready()).isTrue();
            }
        }
    }

    @Test
    void aDrainingNodeAnswers503BeforeItAnswersItsParkedPings() throws Exception {
        GatewayTestServer server = GatewayTestServer.start(Map.of("shutdown.ready-delay", "2",
                "heartbeat.min", "1", "shutdown.grace", "5"));
        EasTestClient phone = server.provisioned("demo", "drain-health");
        String inbox = server.folderId("demo", FolderType.INBOX);
        server.markSynced("demo", "drain-health", inbox);
        CompletableFuture<EasTestClient.Response> parked = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                WbxmlElement.el(CodePage.PING, "Ping").child("HeartbeatInterval", 300)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                        .build()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.gateway().services().heartbeat().parked() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.gateway().services().heartbeat().parked()).isEqualTo(1);

        long stopAsked = System.nanoTime();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close); // what SIGTERM runs
        HttpResponse<String> readyz = get(server.uri(), "/readyz");
        while (readyz.statusCode() == 200 && System.nanoTime() - stopAsked < TimeUnit.SECONDS.toNanos(1)) {
            readyz = get(server.uri(), "/readyz");
        }
        // readiness flips first: the balancer learns while the parked Ping still waits
        assertThat(readyz.statusCode()).isEqualTo(503);
        assertThat(readyz.body()).isEqualTo("draining\n");
        assertThat(parked).isNotDone();
        assertThat(get(server.uri(), "/healthz").statusCode()).isEqualTo(200);

        EasTestClient.Response answer = parked.get(10, TimeUnit.SECONDS);
        long answeredAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAsked);
        assertThat(answer.text("Status")).isEqualTo("1");
        assertThat(answeredAfter).as("parked Pings answered after shutdown.ready-delay").isGreaterThanOrEqualTo(1900);
        stopping.get(10, TimeUnit.SECONDS);
    }
}
