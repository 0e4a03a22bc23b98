package dev.easgate.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.bench.scenario.ChangeSource;
import dev.easgate.bench.scenario.Scenario;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EasBenchArgumentsTest {

    private static RunOptions parse(String... args) {
        return EasBench.parse(args);
    }

    @Test
    void theDocumentedCommandLine() {
        RunOptions options = parse("wake", "--devices", "18000", "--nodes", "3", "--rate", "1000", "--duration",
                "90s", "--url", "http://127.0.0.1:8080,http://localhost:8081", "--user-prefix", "p", "--password",
                "s", "--out", "/tmp/bench-out", "--changes", "lmtp", "--lmtp", "127.0.0.1:2424,localhost:2425");
        assertThat(options.scenario()).isEqualTo(Scenario.WAKE);
        assertThat(options.devices()).isEqualTo(18000);
        assertThat(options.nodes()).isEqualTo(3);
        assertThat(options.rate()).isEqualTo(1000.0);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(options.urls()).containsExactly(URI.create("http://127.0.0.1:8080"),
                URI.create("http://localhost:8081"));
        assertThat(options.startsNodes()).isFalse();
        assertThat(options.userPrefix()).isEqualTo("p");
        assertThat(options.password()).isEqualTo("s");
        assertThat(options.out()).isEqualTo(Path.of("/tmp/bench-out"));
        assertThat(options.changes()).isEqualTo(ChangeSource.LMTP);
        assertThat(options.lmtpServers()).containsExactly("127.0.0.1:2424", "localhost:2425");
        assertThat(options.workers()).isEqualTo(2); // 9000 devices per generator process by default
        assertThat(options.deadline()).isGreaterThan(Duration.ofSeconds(90));
    }

    @Test
    void lmtpChangesAgainstAServerNeedItsLmtpAndRedisChangesNeedStartedNodes() {
        assertThatThrownBy(() -> parse("wake", "--url", "http://127.0.0.1:8080", "--changes", "lmtp"))
                .hasMessageContaining("--lmtp");
        assertThatThrownBy(() -> parse("wake", "--url", "http://127.0.0.1:8080", "--changes", "redis"))
                .hasMessageContaining("--changes=lmtp");
        assertThat(parse("wake", "--changes", "redis").changes().delivers()).isTrue();
        assertThat(parse("wake").changes().delivers()).isFalse();
    }

    @Test
    void defaultsStartOneLocalNode() {
        RunOptions options = parse("idle");
        assertThat(options.startsNodes()).isTrue();
        assertThat(options.nodes()).isEqualTo(1);
        assertThat(options.devices()).isEqualTo(1000);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(options.changes()).isEqualTo(ChangeSource.SYNC);
        assertThat(options.out().toString()).contains("bench-results").contains("idle-");
    }

    @Test
    void durations() {
        EasBench.DurationConverter converter = new EasBench.DurationConverter();
        assertThat(converter.convert("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(converter.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(converter.convert("30")).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> converter.convert("soon")).isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void refusesBadInput() {
        assertThatThrownBy(() -> parse("melt")).hasMessageContaining("unknown scenario");
        assertThatThrownBy(() -> parse("idle", "--devices", "0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> parse("wake", "--changes", "carrier-pigeon")).hasMessageContaining("--changes");
        assertThatThrownBy(() -> parse("idle", "--url", "ftp://127.0.0.1")).hasMessageContaining("http");
    }

    @Test
    void remoteTargetsNeedAllowRemote() {
        assertThatThrownBy(() -> parse("idle", "--url", "http://10.1.2.3:8080"))
                .hasMessageContaining("--allow-remote");
        assertThat(parse("idle", "--url", "http://10.1.2.3:8080", "--allow-remote").urls()).hasSize(1);
    }

    @Test
    void helpListsTheInterface() {
        String usage = EasBench.commandLine().getUsageMessage();
        assertThat(usage).contains("SCENARIO", "--devices", "--nodes", "--rate", "--duration", "--url",
                "--user-prefix", "--password", "--out", "--allow-remote");
    }
}
