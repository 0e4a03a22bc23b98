package dev.easgate.core.logging;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.AdminTestClient;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A full flow with every log line captured (DEBUG and up, every logger): provision, folder sync, sync with
 * bodies, send mail, a wrong password, the push webhook, admin actions and per-device debug with default
 * redaction. No password, token, message subject or body may appear in any line.
 */
class NoSecretsInLogsTest {
    private static final String PASSWORD = "Pw-7c1e-secret";
    private static final String WRONG = "Wrong-9d2f-guess";
    private static final String ADMIN_TOKEN = "admin-4b8a-token";
    private static final String PUSH_TOKEN = "push-2e6f-token";
    private static final String SUBJECT = "Subject-5a3b-confidential";
    private static final String BODY = "Body-8f0d-the merger closes friday";

    @Test
    void aFullFlowLogsNoCredentialTokenOrMessageContent() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level level = root.getLevel();
        root.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try (LogCapture logs = LogCapture.root();
             GatewayTestServer server = GatewayTestServer.start(Map.of("memory.demo-password", PASSWORD,
                     "admin.port", "0", "admin.token", ADMIN_TOKEN, "push.token", PUSH_TOKEN))) {
            AdminTestClient admin = new AdminTestClient(server.gateway().adminPort(), ADMIN_TOKEN);
            // debug logging on for the device, with the default redaction
            assertThat(admin.post("/admin/v1/debug", "{\"user\":\"alice\"}").status()).isEqualTo(200);

            EasTestClient alice = server.client("alice", PASSWORD, "secret-phone");
            assertThat(alice.provision().status()).isEqualTo(200);
            EasTestClient.Response folders = alice.post("FolderSync",
                    el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build());
            String inbox = null;
            for (WbxmlElement add : folders.body().child("Changes").children("Add")) {
                if ("2".equals(add.childText("Type"))) {
                    inbox = add.childText("ServerId");
                }
            }
            // alice mails herself, then syncs the Inbox with bodies
            String mime = "To: alice@example.com\r\nSubject: " + SUBJECT + "\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + BODY + "\r\n";
            assertThat(alice.post("SendMail", el(CodePage.COMPOSE_MAIL, "SendMail").child("ClientId", "c-1")
                    .empty("SaveInSentItems").opaque("Mime", mime.getBytes(StandardCharsets.UTF_8)).build())
                    .status()).isEqualTo(200);
            String folder = inbox;
            String key = alice.post("Sync", sync("0", folder)).body().child("Collections").child("Collection")
                    .childText("SyncKey");
            boolean seen = false;
            for (int round = 0; round < 20; round++) {
                EasTestClient.Response next = alice.post("Sync", sync(key, folder));
                if (next.body() == null) {
                    break;
                }
                WbxmlElement collection = next.body().child("Collections").child("Collection");
                key = collection.childText("SyncKey");
                seen |= new String(next.bytes(), StandardCharsets.UTF_8).contains(SUBJECT);
                if (collection.child("MoreAvailable") == null) {
                    break;
                }
            }
            assertThat(seen).as("the flow really carried the subject").isTrue();

            // a wrong password, a bad admin token, the push webhook
            assertThat(server.client("alice", WRONG, "secret-phone").post("FolderSync",
                    el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build()).status())
                    .isEqualTo(401);
            assertThat(new AdminTestClient(server.gateway().adminPort(), WRONG).get("/admin/v1/blocks").status())
                    .isEqualTo(401);
            HttpResponse<String> push = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            server.uri().resolve("/push/v1/events"))
                    .header("Authorization", "Bearer " + PUSH_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"alice\",\"t\":\"folder\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(push.statusCode()).isEqualTo(202);
            // admin actions
            assertThat(admin.get("/admin/v1/users/alice/devices").status()).isEqualTo(200);
            assertThat(admin.post("/admin/v1/users/alice/devices/secret-phone/resync", "").status()).isEqualTo(200);
            assertThat(admin.post("/admin/v1/users/alice/devices/secret-phone/wipe", "").status()).isEqualTo(200);

            List<String> lines = logs.lines();
            assertThat(lines).as("the flow was logged").anyMatch(l -> l.contains("easgate.debug"))
                    .anyMatch(l -> l.contains("easgate.audit"));
            String all = String.join("\n", lines);
            String basic = java.util.Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes());
            for (String secret : new String[] {PASSWORD, WRONG, ADMIN_TOKEN, PUSH_TOKEN, SUBJECT, BODY, basic,
                    "merger closes"}) {
                assertThat(all).as("log lines contain " + secret).doesNotContain(secret);
            }
        } finally {
            root.setLevel(level);
        }
    }

    private static WbxmlElement sync(String key, String folderId) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", folderId);
            if (!key.equals("0")) {
                c.child("GetChanges", "1").child("WindowSize", 50).child("Options", o -> o
                        .child("AirSyncBase:BodyPreference", b -> b.child("AirSyncBase:Type", 1)
                                .child("AirSyncBase:TruncationSize", 5000)));
            }
        })).build();
    }
}
