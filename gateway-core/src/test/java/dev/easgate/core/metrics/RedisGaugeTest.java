package dev.easgate.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.redis.RedisServerProcess;
import dev.easgate.core.testing.GatewayTestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code easgate_changebus_connected{kind="redis"}} read from a node's /metrics across a real redis-server restart,
 * after full collections: 1 while connected, 0 while Redis is down (what the shipped EasgateRedisDown rule fires on),
 * 1 again once the node reconnected.
 */
class RedisGaugeTest {
    private static final String SERIES = "easgate_changebus_connected{kind=\"redis\"}";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theGaugeFollowsARedisRestartAfterFullCollections() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             GatewayTestServer node = GatewayTestServer.start(Map.of("redis", "redis://127.0.0.1:" + redis.port()))) {
            assertThat(awaitGauge(node, 1.0)).isEqualTo(1.0);
            GaugeSourceTest.collectFully();
            assertThat(gauge(node)).isEqualTo(1.0);

            redis.stop();
            assertThat(awaitGauge(node, 0.0)).isEqualTo(0.0);
            GaugeSourceTest.collectFully();
            assertThat(gauge(node)).as("still reads 0 during the outage").isEqualTo(0.0);

            redis.restart();
            assertThat(awaitGauge(node, 1.0)).isEqualTo(1.0);
        }
    }

    private double gauge(GatewayTestServer node) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(node.uri().resolve("/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return GaugeSourceTest.value(response.body(), SERIES);
    }

    /** The gauge once it reads {@code expected}, or its last reading after 20 s. */
    private double awaitGauge(GatewayTestServer node, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        double value = gauge(node);
        while (value != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
            value = gauge(node);
        }
        return value;
    }
}
