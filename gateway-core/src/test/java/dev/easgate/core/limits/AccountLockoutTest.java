package dev.easgate.core.limits;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failed logins over real HTTP, each attempt from its own address (a trusted proxy's X-Forwarded-For): the spellings
 * of one account count together, an IPv6 client counts by its /64, and a stranger's failures lock new devices out
 * but not the phones that logged in to the account before, which go on with the right password only.
 */
class AccountLockoutTest {
    private static final int MAX_FAILURES = 5;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("proxy.trusted", "127.0.0.0/8", "login.delay-after", "100",
                "login.max-failures", Integer.toString(MAX_FAILURES), "login.lockout", "60"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server);
    }

    private static WbxmlElement folderSync() {
        return el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build();
    }

    private static int status(String user, String password, String deviceId, String address) {
        return server.client(user, password, deviceId).header("X-Forwarded-For", address)
                .post("FolderSync", folderSync()).status();
    }

    @Test
    void everySpellingOfAnAccountFromEveryAddressMeetsOneLimitButItsOwnPhonesGoOn() {
        // alice's phone logs in once: from then on it is a device the account knows
        assertThat(status("alice", "demo", "alice-phone", "192.0.2.1")).isEqualTo(200);

        // the attacker spells the name differently every time, from a new address and device every time
        String[] spellings = {"ALICE", "Alice", "alice@example.com", "EXAMPLE\\alice", "Alice@EXAMPLE.com",
            "aLiCe", "corp\\ALICE@example.com", " alice "};
        int refusedAt = -1;
        long start = System.nanoTime();
        for (int i = 0; i < 32; i++) {
            int status = status(spellings[i % spellings.length], "guess-" + i, "stranger-" + i, "203.0.113." + i);
            if (status == 429) {
                refusedAt = i;
                break;
            }
            assertThat(status).as("attempt %d", i).isEqualTo(401);
        }
        System.out.printf("account locked after %d failures in %d ms%n", refusedAt,
                Duration.ofNanos(System.nanoTime() - start).toMillis());
        assertThat(refusedAt).as("the attempt after the limit is refused").isEqualTo(MAX_FAILURES);

        try (LogCapture logs = LogCapture.root()) {
            // a new device from a new address is refused, with the right password too (not even checked)
            assertThat(status("alice", "demo", "new-tablet", "198.51.100.7")).isEqualTo(429);
            EasTestClient.Response refused = server.client("Alice", "demo", "new-tablet")
                    .header("X-Forwarded-For", "198.51.100.8").post("FolderSync", folderSync());
            assertThat(refused.status()).isEqualTo(429);
            assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
            assertThat(logs.lines()).anyMatch(l -> l.contains("429 login refused for user=Alice from=198.51.100.8")
                    && l.contains("by account"));

            // alice's phone goes on, from a new address (a phone changes networks) and as the name it spells
            assertThat(status("alice", "demo", "alice-phone", "198.51.100.9")).isEqualTo(200);
            assertThat(status("EXAMPLE\\alice", "demo", "alice-phone", "192.0.2.77")).isEqualTo(200);
            assertThat(logs.lines()).anyMatch(l -> l.contains("known device let in during a login lockout")
                    && l.contains("device=alice-phone"));
        }

        // a stranger who learnt the phone's DeviceId gains nothing: a wrong password is refused, never let in...
        for (int i = 0; i < MAX_FAILURES; i++) {
            assertThat(status("alice", "guess-d" + i, "alice-phone", "203.0.114." + i)).isEqualTo(429);
        }
        // ...and after max-failures the device itself is locked: the DeviceId's own count, the one price of the
        // exemption, and only for a stranger who knows the DeviceId
        assertThat(status("alice", "demo", "alice-phone", "198.51.100.9")).isEqualTo(429);
        // other accounts are untouched
        assertThat(status("bob", "demo", "bob-phone", "203.0.113.1")).isEqualTo(200);
    }

    @Test
    void anIpv6ClientCountsByItsSlash64() {
        // five different names from five addresses of one /64: the prefix's count, no account's
        for (int i = 1; i <= MAX_FAILURES; i++) {
            assertThat(status("nobody" + i, "guess", "v6-" + i, "2001:db8:1:2::" + i)).isEqualTo(401);
        }
        assertThat(status("demo", "demo", "v6-new", "2001:db8:1:2:ffff:ee:dd:cc")).as("same /64").isEqualTo(429);
        assertThat(status("demo", "demo", "v6-new", "2001:db8:1:3::1")).as("another /64").isEqualTo(200);
    }
}
