package dev.easgate.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {

    @Test
    void roundTripsThroughTheCommandLine() {
        WorkerSettings settings = new WorkerSettings(Scenario.WAKE, List.of(URI.create("http://127.0.0.1:8080"),
                URI.create("http://127.0.0.1:8081")), 9000, 9000, "bench", "s3cret", "example.com", 600, 500.5,
                Duration.ofSeconds(60), List.of("127.0.0.2", "127.0.0.3"), ChangeSource.LMTP, List.of("127.0.0.1:2424", "127.0.0.1:2425"),
                Duration.ofSeconds(10), 48, 25, Duration.ofSeconds(30), Path.of("/tmp/w.result"),
                Duration.ofMinutes(10));
        WorkerSettings parsed = WorkerSettings.fromArgs(settings.toArgs().toArray(String[]::new));
        assertThat(parsed).isEqualTo(settings);
    }

    @Test
    void usersAreNumberedAndRoutedToOneNodeEach() {
        WorkerSettings settings = new WorkerSettings(Scenario.IDLE, List.of(URI.create("http://127.0.0.1:1"),
                URI.create("http://127.0.0.1:2"), URI.create("http://127.0.0.1:3")), 0, 10, "p", "s", "d.example",
                60, 1, Duration.ofSeconds(1), List.of(), ChangeSource.SYNC, List.of(), Duration.ofSeconds(1),
                1, 25, Duration.ofSeconds(1), Path.of("r"), Duration.ofSeconds(1));
        assertThat(settings.userOf(42)).isEqualTo("p000042");
        assertThat(settings.addressOf("p000042")).isEqualTo("p000042@d.example");
        assertThat(settings.addressOf("x@y.example")).isEqualTo("x@y.example");
        assertThat(settings.serverOf("p000042")).isEqualTo(settings.serverOf("p000042"));
        long distinct = java.util.stream.IntStream.range(0, 300).mapToObj(i -> settings.serverOf(settings.userOf(i)))
                .distinct().count();
        assertThat(distinct).isEqualTo(3);
    }

    @Test
    void anLmtpMessageEndsWithItsDotLineAndNoLineStartsWithADot() {
        String message = new String(LmtpSender.message("p000001@example.com", "eas-bench change 7"),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(message).contains("\r\nTo: p000001@example.com\r\n").contains("Subject: eas-bench change 7\r\n")
                .endsWith("\r\n.\r\n");
        assertThat(message.substring(0, message.length() - 3).lines()).noneMatch(line -> line.startsWith("."));
    }
}
