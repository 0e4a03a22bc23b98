package dev.easgate.core.limits;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The abuse limits over real HTTP: failed logins slowed then refused (per user and per address, the address taken
 * from X-Forwarded-For only behind a trusted proxy), requests open per device and per user, each refusal logged
 * and counted in /metrics.
 */
class LimitsIntegrationTest {

    private static WbxmlElement folderSync() {
        return el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build();
    }

    private static String metrics(GatewayTestServer server) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void failedLoginsAreSlowedThenRefusedPerUser() throws Exception {
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("login.delay-after", "2",
                "login.max-delay", "1", "login.max-failures", "4", "login.lockout", "60"));
             LogCapture logs = LogCapture.root()) {
            EasTestClient wrong = server.client("bob", "wrong-password", "brute-1");
            assertThat(wrong.post("FolderSync", folderSync()).status()).isEqualTo(401);
            assertThat(wrong.post("FolderSync", folderSync()).status()).isEqualTo(401);
            long start = System.nanoTime();
            assertThat(wrong.post("FolderSync", folderSync()).status()).isEqualTo(401); // delayed
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(wrong.post("FolderSync", folderSync()).status()).isEqualTo(401); // 4th: locks out
            EasTestClient.Response refused = wrong.post("FolderSync", folderSync());
            assertThat(refused.status()).isEqualTo(429);
            assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
            // the right password is refused too while locked out, without being checked
            assertThat(server.client("bob", "brute-2").post("FolderSync", folderSync()).status()).isEqualTo(429);
            assertThat(server.client("bob", "brute-2").options().status()).isEqualTo(429);

            assertThat(logs.lines()).anyMatch(l -> l.contains("logins locked out") && l.contains("user=bob"));
            assertThat(logs.lines()).anyMatch(l -> l.contains("429 login refused for user=bob"));
            String scrape = metrics(server);
            assertThat(scrape).contains("easgate_login_failures_total 4.0")
                    .containsPattern("easgate_limit_refusals_total\\{limit=\"login\"} [1-9]")
                    .containsPattern("easgate_limit_refusals_total\\{limit=\"login_delayed\"} [1-9]");
        }
    }

    @Test
    void behindATrustedProxyTheForwardedAddressIsThrottled() throws Exception {
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("proxy.trusted", "127.0.0.0/8",
                "login.delay-after", "100", "login.max-failures", "3", "login.lockout", "60"));
             LogCapture logs = LogCapture.root()) {
            // one address guessing three users' passwords gets locked out; another address is not
            for (String user : new String[] {"demo", "alice", "bob"}) {
                assertThat(forwarded(server, user, "guess", "203.0.113.7").statusCode()).isEqualTo(401);
            }
            assertThat(forwarded(server, "demo", "demo", "203.0.113.7").statusCode()).isEqualTo(429);
            assertThat(forwarded(server, "demo", "demo", "198.51.100.9").statusCode()).isEqualTo(200);
            assertThat(logs.lines()).anyMatch(l -> l.contains("from=203.0.113.7"));
        }
        try (GatewayTestServer untrusted = GatewayTestServer.start(Map.of("login.delay-after", "100",
                "login.max-failures", "3", "login.lockout", "60"))) {
            // without a trusted proxy the header is ignored: the peer (127.0.0.1) is the address that gets locked
            for (String user : new String[] {"demo", "alice", "bob"}) {
                forwarded(untrusted, user, "guess", "203.0.113." + user.length());
            }
            assertThat(forwarded(untrusted, "demo", "demo", "198.51.100.9").statusCode()).isEqualTo(429);
        }
    }

    private static HttpResponse<String> forwarded(GatewayTestServer server, String user, String password,
                                                  String address) throws Exception {
        String basic = java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create(server.uri() + "/Microsoft-Server-ActiveSync"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Authorization", "Basic " + basic)
                        .header("X-Forwarded-For", "10.9.9.9, " + address)
                        .timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static WbxmlElement sync(String key, String folderId) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> c
                .child("SyncKey", key).child("CollectionId", folderId))).build();
    }

    private static void caughtUp(EasTestClient phone, String folderId) {
        String key = phone.post("Sync", sync("0", folderId)).body().child("Collections").child("Collection")
                .childText("SyncKey");
        for (int round = 0; round < 20; round++) {
            EasTestClient.Response next = phone.post("Sync", sync(key, folderId));
            if (next.body() == null) {
                return;
            }
            key = next.body().child("Collections").child("Collection").childText("SyncKey");
        }
    }

    private static WbxmlElement ping(String folderId) {
        return el(CodePage.PING, "Ping").child("HeartbeatInterval", 600)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", folderId).child("Class", "Email")))
                .build();
    }

    private static void awaitParked(GatewayTestServer server, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.gateway().services().heartbeat().parked() != count) {
            assertThat(System.nanoTime()).as("parked requests").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void requestsOpenPerDeviceAndPerUserAreLimited() throws Exception {
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("device.max-concurrent", "1",
                "user.max-concurrent", "2"))) {
            String inbox = server.gateway().services().mailStore().folders("alice")
                    .filter(f -> f.type() == FolderType.INBOX).map(Folder::id).blockFirst();
            EasTestClient phone = server.client("alice", "busy-1");
            EasTestClient tablet = server.client("alice", "busy-2");
            EasTestClient third = server.client("alice", "busy-3");
            for (EasTestClient c : new EasTestClient[] {phone, tablet, third}) {
                c.provision();
                caughtUp(c, inbox);
            }
            CompletableFuture<EasTestClient.Response> parked = CompletableFuture.supplyAsync(
                    () -> phone.post("Ping", ping(inbox)));
            awaitParked(server, 1);
            EasTestClient.Response device = phone.post("FolderSync", folderSync());
            assertThat(device.status()).isEqualTo(503);
            assertThat(device.header("Retry-After")).isNotBlank();

            CompletableFuture<EasTestClient.Response> parked2 = CompletableFuture.supplyAsync(
                    () -> tablet.post("Ping", ping(inbox)));
            awaitParked(server, 2);
            assertThat(third.post("FolderSync", folderSync()).status()).isEqualTo(503); // the user's limit
            assertThat(server.client("bob", "other-user").provision().status()).isEqualTo(200);

            assertThat(metrics(server)).containsPattern("easgate_limit_refusals_total\\{limit=\"device_concurrency\"} 1")
                    .containsPattern("easgate_limit_refusals_total\\{limit=\"user_concurrency\"} 1");
            server.gateway().services().heartbeat().drain();
            assertThat(parked.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(parked2.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
    }

    @Test
    void aParkedPingWhoseClientGoesAwayGivesItsSlotBack() throws Exception {
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("device.max-concurrent", "1"))) {
            String inbox = server.gateway().services().mailStore().folders("alice")
                    .filter(f -> f.type() == FolderType.INBOX).map(Folder::id).blockFirst();
            EasTestClient phone = server.client("alice", "gone-1");
            phone.provision();
            caughtUp(phone, inbox);
            byte[] body = dev.easgate.wbxml.WbxmlEncoder.encode(ping(inbox));
            String head = "POST /Microsoft-Server-ActiveSync?Cmd=Ping&User=alice&DeviceId=gone-1&DeviceType=TestPhone"
                    + " HTTP/1.1\r\nHost: " + server.uri().getAuthority() + "\r\nAuthorization: Basic "
                    + java.util.Base64.getEncoder().encodeToString("alice:demo".getBytes(
                            java.nio.charset.StandardCharsets.UTF_8))
                    + "\r\nMS-ASProtocolVersion: 16.1\r\nX-MS-PolicyKey: " + phone.policyKey()
                    + "\r\nContent-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: " + body.length + "\r\n\r\n";
            try (java.net.Socket socket = new java.net.Socket(server.uri().getHost(), server.uri().getPort())) {
                socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.getOutputStream().write(body);
                socket.getOutputStream().flush();
                awaitParked(server, 1);
                // the parked Ping holds the device's only slot
                assertThat(phone.post("FolderSync", folderSync()).status()).isEqualTo(503);
            }
            // the phone went away: its parked Ping ends and the slot comes back
            awaitParked(server, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int status;
            while ((status = phone.post("FolderSync", folderSync()).status()) != 200
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(status).isEqualTo(200);
        }
    }
}
