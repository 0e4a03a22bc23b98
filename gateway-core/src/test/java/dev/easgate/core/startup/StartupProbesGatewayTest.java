package dev.easgate.core.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.easgate.backends.testing.Loopback;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.server.Gateway;
import dev.easgate.core.server.GatewayMain;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node whose backend does not answer at start: it starts anyway with a WARN line, or exits with --fail-fast. */
class StartupProbesGatewayTest {
    /** The nodes' device state (data.dir), out of the source tree. */
    @TempDir
    Path data;

    private static List<String> warnings(LogCapture logs) {
        return logs.events().stream().filter(e -> e.getLevel() == Level.WARN)
                .filter(e -> e.getLoggerName().equals(BackendProbes.class.getName()))
                .map(e -> e.getFormattedMessage()).toList();
    }

    @Test
    void aNodeStartsAnywayWithOneWarnLineNamingTheBackend() {
        int closed = Loopback.freePort();
        try (LogCapture logs = LogCapture.root();
             GatewayTestServer server = GatewayTestServer.start(Map.of(
                     "dav.url", "http://svc:dav-password@127.0.0.1:" + closed + "/dav/", "dav.watch-interval", "0"))) {
            assertThat(warnings(logs)).singleElement().asString()
                    .matches("backend dav at http://127\\.0\\.0\\.1:" + closed + "/dav/: connection refused \\(\\d+ ms\\)");
            assertThat(server.gateway().readiness().ready()).isTrue();
            assertThat(server.client("demo", "probe-phone").options().status()).isEqualTo(200);
            assertThat(logs.lines()).filteredOn(line -> line.startsWith(BackendProbes.class.getName()))
                    .isNotEmpty().noneMatch(line -> line.contains("dav-password") || line.contains("svc"));
        }
    }

    @Test
    void failFastStopsTheStartWithTheReasonAndFreesThePort() throws Exception {
        int closed = Loopback.freePort();
        int port = Loopback.freePort();
        assertThatThrownBy(() -> Gateway.start(GatewayConfig.from(Map.of("port", Integer.toString(port),
                "fail-fast", "true", "directory", "ldap", "directory.ldap.url", "ldap://127.0.0.1:" + closed,
                "directory.ldap.base", "dc=example,dc=com", "data.dir", data.toString()))))
                .hasMessage("--fail-fast: ldap ldap://127.0.0.1:" + closed + ": connection refused");
        // nothing left listening
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void theServerProcessExitsNonZeroWithFailFast() throws Exception {
        int closed = Loopback.freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), GatewayMain.class.getName(),
                "--port=0", "--dav.url=http://127.0.0.1:" + closed + "/", "--startup.probe-timeout=2",
                "--data.dir=" + data));
        Path anywayLog = Files.createTempFile("easgate-anyway", ".log");
        Process anyway = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(anywayLog.toFile())
                .start();
        command.add("--fail-fast");
        Process failing = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertThat(failing.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(failing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(failing.exitValue()).as(output).isEqualTo(1);
            assertThat(output).contains("WARN", "backend dav at http://127.0.0.1:" + closed + "/: connection refused")
                    .contains("easgate: cannot start: --fail-fast: dav http://127.0.0.1:" + closed
                            + "/: connection refused");

            // without --fail-fast the same node keeps running
            assertThat(anyway.waitFor(3, TimeUnit.SECONDS)).as("runs without --fail-fast").isFalse();
        } finally {
            anyway.destroy();
            failing.destroyForcibly();
            anyway.waitFor(20, TimeUnit.SECONDS);
        }
        String log = Files.readString(anywayLog);
        Files.delete(anywayLog);
        assertThat(log).contains("backend dav at http://127.0.0.1:" + closed + "/: connection refused")
                .contains("EAS gateway listening on");
    }
}
