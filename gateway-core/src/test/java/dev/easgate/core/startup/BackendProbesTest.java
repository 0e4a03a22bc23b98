package dev.easgate.core.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.easgate.backends.dav.RadicaleProcess;
import dev.easgate.backends.directory.SlapdProcess;
import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.redis.RedisServerProcess;
import dev.easgate.backends.testing.Loopback;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.core.testing.SilentServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each kind of probe against its real server answering, a closed port (refused) and a port that accepts and never
 * answers (timeout): the log lines an operator reads at start.
 */
class BackendProbesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static DovecotProcess dovecot;
    private static RadicaleProcess radicale;
    private static RedisServerProcess redis;
    private static SlapdProcess slapd;

    @BeforeAll
    static void startServers() throws Exception {
        dovecot = DovecotProcess.start(DovecotProcess.Options.DEFAULT.withSieve());
        radicale = RadicaleProcess.start();
        redis = RedisServerProcess.start();
        slapd = SlapdProcess.start();
    }

    @AfterAll
    static void stopServers() {
        for (AutoCloseable server : new AutoCloseable[] {dovecot, radicale, redis, slapd}) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception e) {
                // the next server still stops
            }
        }
    }

    /** Every kind of target on {@code host:port} (the same closed or silent port for all). */
    private static List<ProbeTarget> everyKindOn(int port) {
        List<ProbeTarget> targets = new ArrayList<>();
        targets.add(BackendProbes.imap("imap://127.0.0.1:" + port));
        targets.add(BackendProbes.smtp("smtp://127.0.0.1:" + port));
        targets.add(BackendProbes.sieve("sieve://127.0.0.1:" + port));
        targets.add(BackendProbes.dav("http://127.0.0.1:" + port + "/dav/"));
        targets.add(BackendProbes.ldap("ldap://127.0.0.1:" + port));
        targets.addAll(BackendProbes.redis("redis://127.0.0.1:" + port));
        return targets;
    }

    private static List<ProbeResult> probe(List<ProbeTarget> targets, LogCapture logs) {
        List<ProbeResult> results = BackendProbes.run(targets, TIMEOUT).block(Duration.ofSeconds(30));
        assertThat(results).hasSameSizeAs(targets);
        return BackendProbes.report(results);
    }

    private static List<String> lines(LogCapture logs, Level level) {
        return logs.events().stream().filter(e -> e.getLevel() == level)
                .filter(e -> e.getLoggerName().equals(BackendProbes.class.getName()))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void realServersAnswerInOneInfoLine() {
        List<ProbeTarget> targets = List.of(
                BackendProbes.imap(dovecot.imapUrl()),
                BackendProbes.smtp(dovecot.submissionUrl()),
                BackendProbes.sieve(dovecot.sieveUrl()),
                // no credentials sent: Radicale's 401 counts as answering
                BackendProbes.dav("http://easgate:easgate-secret@127.0.0.1:" + radicale.port() + "/"),
                BackendProbes.ldap(slapd.url()),
                BackendProbes.redis("redis://127.0.0.1:" + redis.port()).get(0));
        try (LogCapture logs = LogCapture.root()) {
            List<ProbeResult> failed = probe(targets, logs);
            assertThat(failed).isEmpty();
            assertThat(lines(logs, Level.WARN)).isEmpty();
            List<String> info = lines(logs, Level.INFO);
            assertThat(info).hasSize(1);
            assertThat(info.get(0)).startsWith("backends answer: ")
                    .contains("imap " + dovecot.imapUrl().replace("?starttls", ""), "IMAP greeting and CAPABILITY")
                    .contains("smtp ", "SMTP greeting and EHLO")
                    .contains("sieve " + dovecot.sieveUrl() + " (ManageSieve greeting from \"Dovecot")
                    .contains("dav http://127.0.0.1:" + radicale.port() + "/ (OPTIONS answered HTTP")
                    .contains("ldap " + slapd.url(), "root DSE read")
                    .contains("redis redis://127.0.0.1:" + redis.port() + " (PONG")
                    // the DAV URL's user and password never reach the log
                    .doesNotContain("easgate-secret").doesNotContain("easgate:");
        }
    }

    @Test
    void aClosedPortIsRefusedInOneWarnLinePerBackend() {
        int closed = Loopback.freePort();
        try (LogCapture logs = LogCapture.root()) {
            List<ProbeResult> failed = probe(everyKindOn(closed), logs);
            assertThat(failed).hasSize(6);
            List<String> warn = lines(logs, Level.WARN);
            assertThat(warn).hasSize(6);
            assertThat(warn).allMatch(line -> line.contains(": connection refused ("), "refused");
            assertThat(warn).anyMatch(line -> line.startsWith("backend imap at imap://127.0.0.1:" + closed + ": "))
                    .anyMatch(line -> line.startsWith("backend smtp at smtp://127.0.0.1:" + closed + ": "))
                    .anyMatch(line -> line.startsWith("backend sieve at sieve://127.0.0.1:" + closed + ": "))
                    .anyMatch(line -> line.startsWith("backend dav at http://127.0.0.1:" + closed + "/dav/: "))
                    .anyMatch(line -> line.startsWith("backend ldap at ldap://127.0.0.1:" + closed + ": "))
                    .anyMatch(line -> line.startsWith("backend redis at redis://127.0.0.1:" + closed + ": "));
            assertThat(lines(logs, Level.INFO)).isEmpty();
        }
    }

    @Test
    void aPortThatNeverAnswersTimesOutInParallel() {
        try (SilentServer silent = SilentServer.start(); LogCapture logs = LogCapture.root()) {
            long started = System.nanoTime();
            List<ProbeResult> failed = probe(everyKindOn(silent.port()), logs);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(failed).hasSize(6);
            assertThat(lines(logs, Level.WARN)).hasSize(6)
                    .allMatch(line -> line.contains(": no answer within 2 s ("), "timed out");
            assertThat(silent.accepted()).isEqualTo(6);
            // six 2-second probes at once, not one after the other
            assertThat(tookMillis).isBetween(1_900L, 4_500L);
        }
    }

    @Test
    void aBackendThatAnswersButRefusesSaysWhatItAnswered() throws Exception {
        // an IMAP server saying BYE at once (too many connections), a terminal escape hidden in its text
        try (java.net.ServerSocket bye = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
             LogCapture logs = LogCapture.root()) {
            Thread server = new Thread(() -> {
                try (java.net.Socket socket = bye.accept()) {
                    socket.getOutputStream().write("* BYE too many\u001b[31m connections\r\n".getBytes(
                            java.nio.charset.StandardCharsets.ISO_8859_1));
                } catch (java.io.IOException e) {
                    // the probe's side is what the test checks
                }
            });
            server.start();
            List<ProbeResult> failed = probe(List.of(BackendProbes.imap("imap://127.0.0.1:" + bye.getLocalPort())),
                    logs);
            server.join(5000);
            assertThat(failed).hasSize(1);
            assertThat(lines(logs, Level.WARN)).singleElement().asString()
                    .contains("imap://127.0.0.1:" + bye.getLocalPort()
                            + ": refuses: greeting * BYE too many\\u001b[31m connections");
        }
    }

    @Test
    void urlsAreLoggedWithoutSecrets() {
        assertThat(BackendProbes.dav("https://svc:pw@dav.example:8443/dav/?token=x").url())
                .isEqualTo("https://dav.example:8443/dav/");
        assertThat(BackendProbes.ldap("ldaps://ldap1.example:636 ldap://ldap2.example").url())
                .isEqualTo("ldaps://ldap1.example:636");
        assertThat(BackendProbes.redis("redis://:secret@10.0.0.5:6380/0").get(0).url())
                .isEqualTo("redis://10.0.0.5:6380");
        assertThat(BackendProbes.redis("redis-cluster://10.0.0.1:7000,10.0.0.2:7001")).extracting(ProbeTarget::url)
                .containsExactly("redis://10.0.0.1:7000", "redis://10.0.0.2:7001");
        assertThatThrownBy(() -> BackendProbes.imap("http://nope")).isInstanceOf(IllegalArgumentException.class);
    }
}
