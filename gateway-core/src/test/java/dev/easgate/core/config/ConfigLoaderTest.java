package dev.easgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void defaultsMatchTheDocumentedOnes() {
        GatewayConfig config = ConfigLoader.load(new String[0], Map.of());
        assertThat(config.bind()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.backend()).isEqualTo("memory");
        assertThat(config.heartbeatMin()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.heartbeatMax()).isEqualTo(Duration.ofSeconds(3540));
        assertThat(config.clustered()).isFalse();
        assertThat(config.anyUserMode()).isFalse();
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("easgate.properties");
        Files.writeString(file, "port=9000\nheartbeat.min=30\nmemory.domain=file.example\npolicy.AllowCamera=0\n");
        GatewayConfig config = ConfigLoader.load(
                new String[] {"--config=" + file, "--port", "9002", "--heartbeat.max=600"},
                Map.of("EASGATE_PORT", "9001", "EASGATE_HEARTBEAT_MIN", "45"));
        assertThat(config.port()).isEqualTo(9002);
        assertThat(config.heartbeatMin()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.heartbeatMax()).isEqualTo(Duration.ofSeconds(600));
        assertThat(config.memoryDomain()).isEqualTo("file.example");
        assertThat(config.policy()).containsEntry("AllowCamera", "0");
    }

    @Test
    void refusesWhatItCannotStartWith() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--prot=1"}, Map.of()))
                .hasMessageContaining("unknown option 'prot'");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--port=http"}, Map.of()))
                .hasMessageContaining("port must be a number");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--heartbeat.min=900", "--heartbeat.max=60"},
                Map.of())).hasMessageContaining("heartbeat.min");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--redis=http://x"}, Map.of()))
                .hasMessageContaining("redis must be");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--config=/no/such/file"}, Map.of()))
                .hasMessageContaining("cannot read");
    }

    @Test
    void helpListsEveryOption() {
        String help = ConfigLoader.help();
        for (ConfigOption option : GatewayOptions.ALL) {
            assertThat(help).contains("--" + option.key()).contains(option.environmentVariable());
        }
    }
}
