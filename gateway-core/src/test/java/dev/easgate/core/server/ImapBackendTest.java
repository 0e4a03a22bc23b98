package dev.easgate.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.core.config.GatewayConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImapBackendTest {
    @Test
    void thePoolFollowsTheHeldPlacesUnlessSetAndKeepsTheShippedSize() {
        assertThat(ImapBackend.poolMax(GatewayConfig.DEFAULT)).isEqualTo(800);
        assertThat(ImapBackend.poolMax(GatewayConfig.from(Map.of("watcher.connections", "5200")))).isEqualTo(5300);
        assertThat(ImapBackend.poolMax(GatewayConfig.from(Map.of("watcher.connections", "5200",
                "imap.pool-max", "6000")))).isEqualTo(6000);
        assertThat(ImapBackend.poolMax(GatewayConfig.from(Map.of("imap.pool-max", "AUTO")))).isEqualTo(800);
        assertThatThrownBy(() -> ImapBackend.poolMax(GatewayConfig.from(Map.of("imap.pool-max", "many"))))
                .hasMessageContaining("imap.pool-max");
        assertThatThrownBy(() -> ImapBackend.poolMax(GatewayConfig.from(Map.of("imap.pool-max", "0"))))
                .hasMessageContaining("imap.pool-max");
    }
}
