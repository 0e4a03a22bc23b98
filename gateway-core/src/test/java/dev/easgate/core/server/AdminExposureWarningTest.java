package dev.easgate.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node whose admin API (plain HTTP) listens beyond loopback says so at start with a WARN; on loopback it does not. */
class AdminExposureWarningTest {

    private static List<String> warnings(Map<String, String> options) {
        try (LogCapture logs = LogCapture.of(Operations.class.getName());
             GatewayTestServer node = GatewayTestServer.start(options)) {
            assertThat(node.gateway().adminPort()).isPositive();
            return logs.events().stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void anAdminApiOnEveryAddressIsWarnedAbout() {
        List<String> warnings = warnings(Map.of("admin.port", "0", "admin.token", "t", "admin.bind", "0.0.0.0"));
        assertThat(warnings).singleElement().asString()
                .startsWith("admin API listens beyond loopback (")
                .contains("0.0.0.0", "without TLS", "admin.bind");
    }

    @Test
    void anAdminApiOnLoopbackIsNot() {
        assertThat(warnings(Map.of("admin.port", "0", "admin.token", "t", "admin.bind", "127.0.0.1"))).isEmpty();
        assertThat(warnings(Map.of("admin.port", "0", "admin.token", "t", "admin.bind", "localhost"))).isEmpty();
    }
}
