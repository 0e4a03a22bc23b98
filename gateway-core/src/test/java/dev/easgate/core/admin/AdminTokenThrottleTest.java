package dev.easgate.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.AdminTestClient;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wrong admin tokens over real HTTP are throttled per client address like failed logins: past login.max-failures
 * the address gets 429 + Retry-After (the token not even checked) and one log line per refusal; another address
 * is not held by it.
 */
class AdminTokenThrottleTest {
    private static final String TOKEN = "admin-throttle-token";
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("admin.port", "0", "admin.token", TOKEN,
                "login.delay-after", "100", "login.max-failures", "4", "login.lockout", "60"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server);
    }

    @Test
    void wrongTokensLockTheAddressOutAndNoOtherAddress() throws Exception {
        int port = server.gateway().adminPort();
        AdminTestClient wrong = new AdminTestClient(port, "guess");
        try (LogCapture logs = LogCapture.root()) {
            int unauthorized = 0;
            int refused = 0;
            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                int status = wrong.get("/admin/v1/blocks").status();
                assertThat(status).isIn(401, 429);
                if (status == 401) {
                    unauthorized++;
                } else {
                    refused++;
                }
            }
            System.out.printf("200 wrong tokens: %d checked (401), %d refused (429) in %d ms%n", unauthorized,
                    refused, (System.nanoTime() - start) / 1_000_000);
            assertThat(unauthorized).as("tokens checked before the lockout").isEqualTo(4);
            assertThat(refused).isEqualTo(196);

            AdminTestClient.Answer right = new AdminTestClient(port, TOKEN).get("/admin/v1/blocks");
            assertThat(right.status()).as("the right token too, from the locked address").isEqualTo(429);
            assertThat(logs.lines()).anyMatch(l -> l.contains("admin API: 401 for GET admin/v1/blocks from 127.0.0.1"
                    + ": too many wrong tokens, the address is locked out"));
            assertThat(logs.lines().stream().filter(l -> l.contains("admin API: 429 for GET admin/v1/blocks from "
                    + "127.0.0.1: too many wrong tokens"))).hasSize(197);
        }
        // another address (the socket's source 127.0.0.2) is not held by 127.0.0.1's count
        String answer = get(port, "127.0.0.2", TOKEN);
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(get(port, "127.0.0.2", "guess")).startsWith("HTTP/1.1 401");
    }

    /** One GET /admin/v1/blocks over a socket whose source address is {@code from}. */
    private static String get(int port, String from, String token) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /admin/v1/blocks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
