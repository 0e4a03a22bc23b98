package dev.easgate.core.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.core.admin.cli.EasAdmin;
import dev.easgate.core.testing.AdminTestClient;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loop detection over real HTTP: a Sync key resent with the same kept answer (flagged at loop.repeats, not
 * before), an item whose conversion fails every time (set aside at loop.item-failures, the device getting the rest),
 * a client command failing again and again; the flag in devices list (API and eas-admin), kept across a restart,
 * and clear-loop giving the items back.
 */
class LoopDetectionIntegrationTest {
    static final String TOKEN = "loop-token-1";
    private static Path data;
    private static GatewayTestServer server;
    private static AdminTestClient admin;

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("easgate-loop-");
        startServer();
    }

    private static void startServer() {
        server = GatewayTestServer.start(Map.of("admin.port", "0", "admin.token", TOKEN, "data.dir", data.toString()));
        admin = new AdminTestClient(server.gateway().adminPort(), TOKEN);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        try (var paths = Files.walk(data)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static WbxmlElement sync(String key, String collectionId, int window) {
        return WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection",
                c -> c.child("SyncKey", key).child("CollectionId", collectionId).child("WindowSize", window)))
                .build();
    }

    static WbxmlElement collection(EasTestClient.Response response) {
        assertThat(response.status()).isEqualTo(200);
        return response.body().child("Collections").child("Collection");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> device(String user, String deviceId) {
        for (Object d : (List<Object>) admin.get("/admin/v1/users/" + user + "/devices").object().get("devices")) {
            Map<String, Object> device = (Map<String, Object>) d;
            if (deviceId.equals(device.get("deviceId"))) {
                return device;
            }
        }
        throw new AssertionError("no device " + deviceId);
    }

    @Test
    void aKeyResentWithTheSameAnswerIsFlaggedAtTheThresholdAndSurvivesARestart() {
        EasTestClient phone = server.provisioned("alice", "loop-replay");
        String inbox = server.folderId("alice", FolderType.INBOX);
        String one = collection(phone.post("Sync", sync("0", inbox, 2))).childText("SyncKey");
        WbxmlElement answer = collection(phone.post("Sync", sync(one, inbox, 2)));
        assertThat(answer.child("Commands")).isNotNull();

        // a lost answer resent a few times is normal: four replays leave the device alone
        for (int i = 0; i < 4; i++) {
            assertThat(collection(phone.post("Sync", sync(one, inbox, 2)))).isEqualTo(answer);
        }
        assertThat(device("alice", "loop-replay").get("loop")).isNull();
        phone.post("Sync", sync(one, inbox, 2));
        assertThat((String) device("alice", "loop-replay").get("loop"))
                .contains("collection " + inbox, "repeated key " + one, "5 times");

        // the flag lives in the state store: a restarted node shows it
        server.close();
        startServer();
        assertThat((String) device("alice", "loop-replay").get("loop")).contains("repeated key " + one);
        assertThat(cli("devices", "list", "--user", "alice")).contains("LOOP", "Sync of collection");

        assertThat(cli("devices", "clear-loop", "--user", "alice", "--device", "loop-replay"))
                .contains("cleared: Sync of collection");
        assertThat(device("alice", "loop-replay").get("loop")).isNull();
    }

    @Test
    void anItemThatFailsEveryTimeIsSetAsideAndTheDeviceGetsTheRest() {
        EasTestClient phone = server.provisioned("bob", "loop-item");
        String inbox = server.folderId("bob", FolderType.INBOX);
        String key = collection(phone.post("Sync", sync("0", inbox, 100))).childText("SyncKey");
        WbxmlElement all = collection(phone.post("Sync", sync(key, inbox, 100)));
        key = all.childText("SyncKey");
        Item broken = add("bob", inbox, "Subject: =?utf-8?Q?bro=00ken?=\r\n");
        Item fine = add("bob", inbox, "Subject: fine\r\n");

        // the conversion fails: the Sync fails, as before, twice
        for (int i = 0; i < 2; i++) {
            assertThat(phone.post("Sync", sync(key, inbox, 100)).status()).isEqualTo(500);
            assertThat(device("bob", "loop-item").get("loop")).isNull();
        }
        // the third time the item is set aside: the device gets the other one and a new key
        WbxmlElement rest = collection(phone.post("Sync", sync(key, inbox, 100)));
        assertThat(rest.childText("Status")).isEqualTo("1");
        assertThat(serverIds(rest)).containsExactly(fine.id());
        Map<String, Object> flagged = device("bob", "loop-item");
        assertThat((String) flagged.get("loop")).contains("item " + broken.id(), "set aside");
        assertThat(flagged.get("setAside").toString()).contains(broken.id());
        // later Syncs leave it out
        String next = rest.childText("SyncKey");
        EasTestClient.Response quiet = phone.post("Sync", sync(next, inbox, 100));
        assertThat(quiet.status()).isEqualTo(200);
        assertThat(quiet.bytes()).isEmpty(); // MS-ASCMD 2.2.1.21.2: nothing to say

        // clear-loop gives it back: the next Sync offers it again (and its conversion fails again)
        AdminTestClient.Answer cleared = admin.post("/admin/v1/users/bob/devices/loop-item/clear-loop", "");
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.body()).contains(broken.id());
        assertThat(device("bob", "loop-item").get("loop")).isNull();
        assertThat(phone.post("Sync", sync(next, inbox, 100)).status()).isEqualTo(500);
    }

    @Test
    void aClientCommandFailingAgainAndAgainIsFlagged() {
        EasTestClient phone = server.provisioned("demo", "loop-client");
        String inbox = server.folderId("demo", FolderType.INBOX);
        String key = collection(phone.post("Sync", sync("0", inbox, 100))).childText("SyncKey");
        for (int i = 0; i < 5; i++) {
            assertThat(device("demo", "loop-client").get("loop")).isNull();
            WbxmlElement answer = phone.syncCollection(key, inbox, c -> c.child("Change", ch -> ch
                    .child("ServerId", "no-such-item")
                    .child("ApplicationData", d -> d.child("Email:Read", "1"))));
            assertThat(answer.child("Responses").child("Change").childText("Status")).isEqualTo("8");
            key = answer.childText("SyncKey");
        }
        assertThat((String) device("demo", "loop-client").get("loop"))
                .contains("Change of no-such-item", "status 8", "5 times");
    }

    private static List<String> serverIds(WbxmlElement collection) {
        List<String> ids = new ArrayList<>();
        WbxmlElement commands = collection.child("Commands");
        if (commands != null) {
            for (WbxmlElement command : commands.children()) {
                ids.add(command.childText("ServerId"));
            }
        }
        return ids;
    }

    private static Item add(String user, String folderId, String headers) {
        byte[] mime = ("From: Carol <carol@example.org>\r\nTo: " + user + "@example.com\r\n" + headers
                + "Date: Mon, 7 Dec 2026 09:00:00 +0000\r\nMessage-ID: <" + System.nanoTime()
                + "@example.org>\r\nContent-Type: text/plain\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
        return server.gateway().services().mailStore()
                .add(user, folderId, new ItemContent.Email(mime, EmailFlags.UNREAD)).block();
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> full = new ArrayList<>(List.of("--url", "http://127.0.0.1:" + server.gateway().adminPort(),
                "--token", TOKEN));
        full.addAll(List.of(args));
        int status = EasAdmin.run(full.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err));
        assertThat(status).as(err.toString()).isZero();
        return out.toString();
    }
}
