package dev.easgate.core.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.testing.GatewayTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@code http.accept-backlog}: what the EAS port's listening socket asks the kernel to queue. */
class AcceptBacklogTest {

    @Test
    void theEasPortListensWithTheConfiguredBacklog() {
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("http.accept-backlog", "37"))) {
            assertThat(server.gateway().acceptBacklog()).isEqualTo(37);
        }
    }

    @Test
    void byDefaultItAsksForMoreThanAnyKernelKeepsUnlessItsLimitIsRaised() {
        try (GatewayTestServer server = GatewayTestServer.start()) {
            assertThat(server.gateway().acceptBacklog()).isEqualTo(65535);
        }
        assertThat(ConnectionPolicy.from(GatewayConfig.from(Map.of())).acceptBacklog()).isEqualTo(65535);
    }

    @Test
    void aBacklogMustBePositive() {
        assertThatThrownBy(() -> ConnectionPolicy.from(GatewayConfig.from(Map.of("http.accept-backlog", "0"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http.accept-backlog");
    }

    @Test
    void theStartLineSaysWhenTheKernelKeepsFewerThanAsked() {
        assertThat(ConnectionGuard.backlogNote(65535, OptionalInt.of(4096)))
                .isEqualTo(" asked (http.accept-backlog), 4096 kept by the kernel (net.core.somaxconn)");
        assertThat(ConnectionGuard.backlogNote(1000, OptionalInt.of(4096))).isEqualTo(" (http.accept-backlog)");
        assertThat(ConnectionGuard.backlogNote(65535, OptionalInt.empty())).isEqualTo(" (http.accept-backlog)");
    }

    @Test
    void theKernelLimitIsReadFromProc() throws Exception {
        // this Linux machine has one; it is what listen(2) cuts a larger backlog to
        int somaxconn = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).strip());
        assertThat(ConnectionPolicy.kernelBacklogLimit()).hasValue(somaxconn);
        assertThat(somaxconn).isPositive();
    }
}
