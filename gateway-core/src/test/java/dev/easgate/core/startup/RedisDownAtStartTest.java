package dev.easgate.core.startup;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.easgate.backends.redis.RedisServerProcess;
import dev.easgate.backends.testing.Loopback;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Redis that is down when the node starts: the node starts anyway with the probe's WARN line, answers EAS
 * requests HTTP 503 + Retry-After (as during any Redis outage), and serves once Redis comes up.
 */
class RedisDownAtStartTest {

    @Test
    void theNodeStartsAnywayAndServesOnceRedisComesUp() throws Exception {
        int port = Loopback.freePort();
        try (LogCapture logs = LogCapture.root();
             GatewayTestServer server = GatewayTestServer.start(Map.of("redis", "redis://127.0.0.1:" + port))) {
            assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.WARN)
                    .filteredOn(e -> e.getLoggerName().equals(BackendProbes.class.getName()))
                    .singleElement().extracting(e -> e.getFormattedMessage()).asString()
                    .startsWith("backend redis at redis://127.0.0.1:" + port + ": connection refused");
            assertThat(server.gateway().services().changeBus().connected()).isFalse();
            HttpResponse<String> healthz = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    server.uri().resolve("/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(healthz.statusCode()).isEqualTo(200);

            EasTestClient phone = server.client("demo", "redis-late-phone");
            EasTestClient.Response refused = phone.provision();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isNotBlank();

            try (RedisServerProcess redis = RedisServerProcess.start(port, List.of())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!server.gateway().services().changeBus().connected() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(server.gateway().services().changeBus().connected()).isTrue();
                assertThat(phone.provision().text("Status")).isEqualTo("1");
                assertThat(logs.lines()).anyMatch(l -> l.contains("Redis reached: state store and change bus"));
            }
        }
    }
}
