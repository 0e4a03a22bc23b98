package dev.easgate.core.autodiscover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.GatewayTestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Autodiscover's Basic logins go through the same failed-login throttle as the EAS endpoint: per user and per
 * client address, failures on either front count for both, and a locked-out login gets HTTP 429 + Retry-After on
 * both without its password being checked.
 */
class AutodiscoverLoginThrottleTest {
    private static final String BODY = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            + "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006\">"
            + "<Request><EMailAddress>alice@example.com</EMailAddress><AcceptableResponseSchema>"
            + AutodiscoverEndpoint.MOBILESYNC_NS + "</AcceptableResponseSchema></Request></Autodiscover>";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void autodiscoverFailuresLockOutTheUserAndTheAddressOnBothFronts() throws Exception {
        // behind a trusted proxy on loopback, X-Forwarded-For names the client address
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("proxy.trusted", "127.0.0.1/32",
                "login.delay-after", "100", "login.max-failures", "3", "login.lockout", "300"))) {
            // per user: three wrong passwords for alice from three addresses
            for (int i = 1; i <= 3; i++) {
                assertThat(autodiscover(server, "alice", "wrong", "192.0.2." + i).statusCode()).isEqualTo(401);
            }
            HttpResponse<String> locked = autodiscover(server, "alice", "demo", "192.0.2.50");
            assertThat(locked.statusCode()).isEqualTo(429);
            assertThat(locked.headers().firstValue("Retry-After")).isPresent();
            assertThat(eas(server, "alice", "demo", "192.0.2.50").statusCode()).as("EAS too").isEqualTo(429);
            // the address is not locked for others
            assertThat(autodiscover(server, "bob", "demo", "192.0.2.50").statusCode()).isEqualTo(200);

            // per address: three users failing from one address lock it for everyone
            for (String user : new String[] {"u1", "u2", "u3"}) {
                assertThat(autodiscover(server, user, "wrong", "198.51.100.7").statusCode()).isEqualTo(401);
            }
            assertThat(autodiscover(server, "bob", "demo", "198.51.100.7").statusCode()).isEqualTo(429);
            assertThat(eas(server, "bob", "demo", "198.51.100.7").statusCode()).isEqualTo(429);
            assertThat(eas(server, "bob", "demo", "198.51.100.8").statusCode()).isEqualTo(200);

            // failures on the EAS endpoint and on Autodiscover add up
            assertThat(eas(server, "demo", "wrong", "203.0.113.1").statusCode()).isEqualTo(401);
            assertThat(eas(server, "demo", "wrong", "203.0.113.2").statusCode()).isEqualTo(401);
            assertThat(autodiscover(server, "demo", "wrong", "203.0.113.3").statusCode()).isEqualTo(401);
            assertThat(autodiscover(server, "demo", "demo", "203.0.113.4").statusCode()).isEqualTo(429);

            String metrics = http.send(HttpRequest.newBuilder(server.uri().resolve("/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("easgate_login_failures_total(\\{[^}]*\\})? 9\\.0");
        }
    }

    private HttpResponse<String> autodiscover(GatewayTestServer server, String user, String password,
                                              String from) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve("/autodiscover/autodiscover.xml"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml")
                .header("X-Forwarded-For", from)
                .header("Authorization", basic(user, password))
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> eas(GatewayTestServer server, String user, String password, String from)
            throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve("/Microsoft-Server-ActiveSync"))
                .timeout(Duration.ofSeconds(10))
                .header("X-Forwarded-For", from)
                .header("Authorization", basic(user, password))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }
}
