package dev.easgate.core.loop;

import static dev.easgate.core.loop.LoopDetectionIntegrationTest.collection;
import static dev.easgate.core.loop.LoopDetectionIntegrationTest.sync;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.Opaque;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One test per entry of {@link ClientQuirks}, over real HTTP; none of them may flag the device. */
class ClientQuirksTest {
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void notFlagged(String user, String deviceId) {
        LoopRecord record = LoopRecord.decode(server.gateway().services().stateStore()
                .value(new DeviceKey(user, deviceId), LoopGuard.VALUE).block(Duration.ofSeconds(5)));
        assertThat(record.flagged()).as(String.valueOf(record.reason())).isFalse();
    }

    @Test
    void everyQuirkNamesItsHandlingAndADocumentedSource() {
        assertThat(ClientQuirks.ALL).hasSize(4);
        for (ClientQuirks.Quirk quirk : ClientQuirks.ALL) {
            assertThat(quirk.handling()).isNotBlank();
            assertThat(quirk.sources()).isNotEmpty().allMatch(s -> s.contains("MS-AS") || s.contains("RFC")
                    || s.contains("https://"));
        }
    }

    /** {@link ClientQuirks#IOS_CLIENT_ID}. */
    @Test
    void iosGuidClientIdsAreOpaqueAndAResentAddMakesNoSecondItem() {
        EasTestClient phone = server.provisioned("alice", "quirk-ios").deviceType("iPhone");
        String contacts = server.folderId("alice", FolderType.CONTACTS);
        String key = collection(phone.post("Sync", sync("0", contacts, 100))).childText("SyncKey");
        key = collection(phone.post("Sync", sync(key, contacts, 500))).childText("SyncKey");
        String clientId = UUID.randomUUID().toString().toUpperCase(); // 36 characters, hex groups and hyphens
        String sentKey = key;
        WbxmlElement first = phone.syncCollection(sentKey, contacts, c -> c.child("Add", a -> a
                .child("ClientId", clientId)
                .child("ApplicationData", d -> d.child("Contacts:FileAs", "Quirk, Ios")
                        .child("Contacts:FirstName", "Ios").child("Contacts:LastName", "Quirk"))));
        WbxmlElement added = first.child("Responses").child("Add");
        assertThat(added.childText("ClientId")).isEqualTo(clientId);
        assertThat(added.childText("Status")).isEqualTo("1");
        int before = server.items("alice", FolderType.CONTACTS).size();

        // the answer was lost: the same Add again under the same key
        WbxmlElement again = phone.syncCollection(sentKey, contacts, c -> c.child("Add", a -> a
                .child("ClientId", clientId)
                .child("ApplicationData", d -> d.child("Contacts:FileAs", "Quirk, Ios")
                        .child("Contacts:FirstName", "Ios").child("Contacts:LastName", "Quirk"))));
        assertThat(again.child("Responses").child("Add").childText("ServerId")).isEqualTo(added.childText("ServerId"));
        assertThat(server.items("alice", FolderType.CONTACTS)).hasSize(before);
        notFlagged("alice", "quirk-ios");
    }

    /** {@link ClientQuirks#SEMICOLON_RECIPIENTS}. */
    @Test
    void semicolonSeparatedRecipientsAreEachDelivered() throws Exception {
        EasTestClient phone = server.provisioned("demo", "quirk-android").deviceType("Android");
        String marker = "quirk-semicolon-" + UUID.randomUUID();
        byte[] mime = ("To: alice@example.com; Bob Martin <bob@example.com>;\r\nSubject: " + marker
                + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello\r\n")
                .getBytes(StandardCharsets.UTF_8);
        EasTestClient.Response sent = phone.post("SendMail", WbxmlElement.el(CodePage.COMPOSE_MAIL, "SendMail")
                .child("ClientId", "1").opaque("Mime", Opaque.of(mime)).build());
        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.bytes()).as("an empty answer is success").isEmpty();
        for (String user : List.of("alice", "bob")) {
            assertThat(subjects(user)).as(user).anyMatch(subject -> subject.contains(marker));
        }
    }

    private static List<String> subjects(String user) {
        return server.items(user, FolderType.INBOX).stream()
                .map(Item::content).filter(ItemContent.Email.class::isInstance)
                .map(c -> new String(((ItemContent.Email) c).mime(), StandardCharsets.UTF_8))
                .toList();
    }

    /** {@link ClientQuirks#HEARTBEAT_SYNC}. */
    @Test
    void heartbeatSyncsWithoutCollectionsAreAnsweredEmptyAndNeverCounted() {
        EasTestClient phone = server.provisioned("bob", "quirk-heartbeat");
        String inbox = server.folderId("bob", FolderType.INBOX);
        String key = collection(phone.post("Sync", sync("0", inbox, 100))).childText("SyncKey");
        String current = collection(phone.post("Sync", sync(key, inbox, 500))).childText("SyncKey");
        // the full request once (cached), then bodiless requests, many more than loop.repeats
        assertThat(phone.post("Sync", sync(current, inbox, 500)).bytes()).isEmpty();
        for (int i = 0; i < 8; i++) {
            EasTestClient.Response empty = phone.post("Sync", null);
            assertThat(empty.status()).isEqualTo(200);
            assertThat(empty.bytes()).isEmpty();
        }
        notFlagged("bob", "quirk-heartbeat");
    }

    /** {@link ClientQuirks#GMAIL_FOLDERSYNC_ZERO}. */
    @Test
    void repeatedFolderSyncZeroKeepsEveryFoldersSyncState() {
        EasTestClient phone = server.provisioned("demo", "quirk-gmail").deviceType("Android")
                .userAgent("Android-Mail/2025.11.02");
        WbxmlElement folderSync0 = WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0")
                .build();
        assertThat(phone.post("FolderSync", folderSync0).text("Status")).isEqualTo("1");
        String inbox = server.folderId("demo", FolderType.INBOX);
        String key = collection(phone.post("Sync", sync("0", inbox, 100))).childText("SyncKey");
        String current = collection(phone.post("Sync", sync(key, inbox, 500))).childText("SyncKey");

        for (int i = 0; i < 6; i++) {
            EasTestClient.Response again = phone.post("FolderSync", folderSync0);
            assertThat(again.text("Status")).isEqualTo("1");
            assertThat(again.body().child("Changes").childText("Count")).isNotEqualTo("0");
        }
        // the Inbox key is still good and nothing is sent again
        EasTestClient.Response after = phone.post("Sync", sync(current, inbox, 500));
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.bytes()).isEmpty();
        notFlagged("demo", "quirk-gmail");
    }
}
