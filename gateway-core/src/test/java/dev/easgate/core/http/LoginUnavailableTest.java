package dev.easgate.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.testing.Loopback;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An IMAP server that takes connections and never greets: the password cannot be checked, so a command and an OPTIONS
 * get 503 with Retry-After (MS-ASHTTP 3.2.5.1), not a 500 (a server fault) nor a 401 (a wrong password).
 */
class LoginUnavailableTest {
    private static ServerSocket silentImap;
    private static final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private static GatewayTestServer server;

    @BeforeAll
    static void start() throws IOException {
        silentImap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!silentImap.isClosed()) {
                try {
                    accepted.add(silentImap.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-imap");
        acceptor.setDaemon(true);
        acceptor.start();
        server = GatewayTestServer.start(Map.of("backend", "imap",
                "imap.url", "imap://127.0.0.1:" + silentImap.getLocalPort(), "imap.domain", "example.org",
                "imap.timeout-seconds", "1", "startup.probe-timeout", "1"));
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        silentImap.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    @Test
    void aLoginTheImapServerDoesNotAnswerGets503WithRetryAfter() {
        EasTestClient phone = server.client("alice@example.org", "secret", "SILENT" + Loopback.freePort());
        EasTestClient.Response provision = phone.provision();
        assertThat(provision.status()).isEqualTo(503);
        assertThat(provision.header("Retry-After")).isNotBlank();
        EasTestClient.Response options = phone.options();
        assertThat(options.status()).isEqualTo(503);
        assertThat(options.header("Retry-After")).isNotBlank();
    }
}
