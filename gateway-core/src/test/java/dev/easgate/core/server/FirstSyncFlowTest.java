package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A new device's first sync exactly as a phone does it, over real HTTP: OPTIONS, Provision twice, FolderSync 0,
 * Sync 0 then Sync for Inbox, Contacts and Calendar; then its own changes, a retried request, and bad input.
 */
class FirstSyncFlowTest {
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, String> folderIdsByType(WbxmlElement folderSync) {
        Map<String, String> ids = new HashMap<>();
        for (WbxmlElement add : folderSync.child("Changes").children("Add")) {
            ids.putIfAbsent(add.childText("Type"), add.childText("ServerId"));
        }
        return ids;
    }

    private static WbxmlElement syncRequest(String collectionId, String key, int windowSize) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId);
            if (!key.equals("0")) {
                c.child("GetChanges", "1").child("WindowSize", windowSize);
            }
        })).build();
    }

    private static WbxmlElement collection(Response sync) {
        return sync.body().child("Collections").child("Collection");
    }

    /** Syncs a collection from key 0 until nothing more is available; returns the final key and the items seen. */
    private static Map.Entry<String, List<WbxmlElement>> fullSync(EasTestClient phone, String collectionId) {
        Response first = phone.post("Sync", syncRequest(collectionId, "0", 0));
        assertThat(first.status()).isEqualTo(200);
        assertThat(collection(first).childText("Status")).isEqualTo("1");
        String key = collection(first).childText("SyncKey");
        List<WbxmlElement> adds = new java.util.ArrayList<>();
        for (int round = 0; round < 50; round++) {
            Response next = phone.post("Sync", syncRequest(collectionId, key, 5));
            assertThat(next.status()).isEqualTo(200);
            if (next.body() == null) {
                break; // an empty response: nothing changed
            }
            WbxmlElement col = collection(next);
            assertThat(col.childText("Status")).isEqualTo("1");
            key = col.childText("SyncKey");
            WbxmlElement commands = col.child("Commands");
            if (commands != null) {
                assertThat(commands.children()).hasSizeLessThanOrEqualTo(5);
                adds.addAll(commands.children("Add"));
            }
            if (col.child("MoreAvailable") == null) {
                break;
            }
        }
        return Map.entry(key, adds);
    }

    @Test
    void aNewDeviceSyncsLikeAPhone() {
        EasTestClient phone = server.client("demo", "FIRSTSYNC1").protocolVersion("14.1");

        Response options = phone.options();
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.header("MS-ASProtocolVersions")).isEqualTo("2.5,12.0,12.1,14.0,14.1,16.0,16.1");
        assertThat(options.header("MS-ASProtocolCommands")).contains("Sync", "FolderSync", "Provision", "Ping");

        Response unprovisioned = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build());
        assertThat(unprovisioned.text("Status")).isEqualTo("142");

        Response provisioned = phone.provision();
        assertThat(provisioned.status()).isEqualTo(200);
        assertThat(phone.policyKey()).isNotBlank().isNotEqualTo("0");

        Response folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build());
        assertThat(folders.text("Status")).isEqualTo("1");
        Map<String, String> ids = folderIdsByType(folders.body());
        assertThat(ids).containsKeys("2", "8", "9"); // Inbox, Calendar, Contacts (MS-ASCMD FolderSync Type)

        var inbox = fullSync(phone, ids.get("2"));
        assertThat(inbox.getValue()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(inbox.getValue().get(0).child("ApplicationData").child("Email:Subject")).isNotNull();
        var contacts = fullSync(phone, ids.get("9"));
        assertThat(contacts.getValue()).hasSizeGreaterThanOrEqualTo(10);
        var calendar = fullSync(phone, ids.get("8"));
        assertThat(calendar.getValue()).hasSizeGreaterThanOrEqualTo(8);

        // the phone adds a contact: it gets a ServerId for its ClientId, and the contact is not echoed back
        WbxmlElement add = el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> c
                .child("SyncKey", contacts.getKey())
                .child("CollectionId", ids.get("9"))
                .child("Commands", cmd -> cmd.child("Add", a -> a
                        .child("ClientId", "client-1")
                        .child("ApplicationData", d -> d
                                .child("Contacts:FileAs", "Tester, Tina")
                                .child("Contacts:FirstName", "Tina")
                                .child("Contacts:LastName", "Tester")
                                .child("Contacts:Email1Address", "tina@example.org")))))).build();
        Response added = phone.post("Sync", add);
        WbxmlElement addResponse = collection(added).child("Responses").child("Add");
        assertThat(addResponse.childText("ClientId")).isEqualTo("client-1");
        assertThat(addResponse.childText("Status")).isEqualTo("1");
        String newKey = collection(added).childText("SyncKey");

        // the network drops and the phone retries the same request: same answer, no second contact
        Response retried = phone.post("Sync", add);
        assertThat(retried.bytes()).isEqualTo(added.bytes());
        long tinas = server.gateway().services().mailStore().changesSince("demo", ids.get("9"), 0).block()
                .changed().size();
        assertThat(tinas).isEqualTo(contacts.getValue().size() + 1);

        Response after = phone.post("Sync", syncRequest(ids.get("9"), newKey, 50));
        if (after.body() != null) {
            WbxmlElement commands = collection(after).child("Commands");
            assertThat(commands == null ? List.of() : commands.children("Add")).isEmpty();
        }
    }

    @Test
    void badInputGetsTheStatusTheProtocolPrescribes() throws Exception {
        EasTestClient phone = server.client("alice", "BADINPUT1");
        phone.provision();

        Response malformed = phone.postBytes("FolderSync", new byte[] {3, 1, 0x6A, 0, 0x56, 0x52, 3, '0'},
                "application/vnd.ms-sync.wbxml", Map.of());
        assertThat(malformed.status()).isEqualTo(400);

        Response badCredentials = server.client("alice", "wrong", "BADINPUT1").post("FolderSync", null);
        assertThat(badCredentials.status()).isEqualTo(401);
        assertThat(badCredentials.header("WWW-Authenticate")).startsWith("Basic");

        HttpClient http = HttpClient.newHttpClient();
        URI noCommand = server.uri().resolve("/Microsoft-Server-ActiveSync?User=alice&DeviceId=X&DeviceType=T");
        HttpResponse<Void> badQuery = http.send(HttpRequest.newBuilder(noCommand)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(badQuery.statusCode()).isEqualTo(400);

        Response oldClient = server.client("bob", "OLDCLIENT1").protocolVersion("12.1").post("FolderSync",
                el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build());
        assertThat(oldClient.status()).isEqualTo(449);

        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("easgate_requests_total").contains("command=\"FolderSync\"");
    }

    @Test
    void aUserCannotHaveMoreDevicesThanTheLimit() {
        try (GatewayTestServer limited = GatewayTestServer.start(Map.of("devices.max-per-user", "3",
                "memory.password", "load"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(limited.client("carol", "load", "LIMIT" + i).provision().status()).isEqualTo(200);
            }
            Response fourth = limited.client("carol", "load", "LIMIT3").post("Provision",
                    el(CodePage.PROVISION, "Provision").child("Policies", p -> p.child("Policy", x -> x
                            .child("PolicyType", "MS-EAS-Provisioning-WBXML"))).build());
            assertThat(fourth.text("Status")).isEqualTo("177");
            // any user name logs in with the shared password in load-test mode, and gets a seeded mailbox
            assertThat(limited.client("dave42", "load", "D1").provision().status()).isEqualTo(200);
        }
    }
}
