package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.content.ParsedEmail;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 16.0 drafts written through Sync (MS-ASCMD 2.2.3.7.2, MS-ASEMAIL IsDraft, MS-ASAIRS Attachments) over HTTP. */
class DraftsSyncIntegrationTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 1, 2, 3, (byte) 0xff};
    private static final byte[] NOTES = "meeting notes".getBytes(StandardCharsets.US_ASCII);
    private static GatewayTestServer server;
    private static MailStore store;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
        store = server.gateway().services().mailStore();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static EasTestClient client(String device, String version) {
        EasTestClient client = server.client("alice", device)
                .protocolVersion(version);
        assertThat(client.provision().text("Status")).isEqualTo("1");
        return client;
    }

    private static Folder drafts() {
        return store.folders("alice").filter(f -> f.type() == FolderType.DRAFTS).blockFirst();
    }

    private static WbxmlElement sync(String key, String collectionId, Consumer<WbxmlElement.Builder> commands) {
        return WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId).child("GetChanges", "0");
            if (commands != null) {
                c.child("Commands", commands);
            }
        })).build();
    }

    private static WbxmlElement collection(EasTestClient client, WbxmlElement request) {
        EasTestClient.Response response = client.post("Sync", request);
        assertThat(response.status()).isEqualTo(200);
        return response.body().child("Collections").child("Collection");
    }

    private static String prime(EasTestClient client, String collectionId) {
        WbxmlElement first = collection(client, WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections",
                cs -> cs.child("Collection", c -> c.child("SyncKey", "0").child("CollectionId", collectionId)))
                .build());
        assertThat(first.childText("Status")).isEqualTo("1");
        return first.childText("SyncKey");
    }

    private static Consumer<WbxmlElement.Builder> newDraft(String clientId) {
        return cmds -> cmds.child("Add", a -> a.child("Class", "Email").child("ClientId", clientId)
                .child("ApplicationData", d -> d
                        .child("Email:To", "\"Bob\" <bob@example.com>")
                        .child("Email:Cc", "carol@example.com")
                        .child("Email2:Bcc", "dave@example.com")
                        .child("Email:Subject", "Quarterly plan")
                        .child("Email:Importance", 2)
                        .child("AirSyncBase:Body", b -> b.child("Type", 1).child("Data", "First draft of the plan."))
                        .child("AirSyncBase:Attachments", list -> list
                                .child("Add", x -> x.child("ClientId", "att-1").child("DisplayName", "chart.png")
                                        .child("Method", 1).child("ContentType", "image/png")
                                        .opaque("Content", PNG))
                                .child("Add", x -> x.child("ClientId", "att-2").child("DisplayName", "notes.txt")
                                        .child("Method", 1).child("ContentType", "text/plain")
                                        .opaque("Content", NOTES)))));
    }

    private static WbxmlElement fetch(EasTestClient client, String collectionId, String serverId) {
        WbxmlElement request = WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations").child("Fetch", f -> f
                .child("Store", "Mailbox").child("AirSync:CollectionId", collectionId)
                .child("AirSync:ServerId", serverId)
                .child("Options", o -> o.child("AirSyncBase:BodyPreference", b -> b.child("Type", 1)))).build();
        WbxmlElement fetch = client.post("ItemOperations", request).body().child("Response").child("Fetch");
        assertThat(fetch.childText("Status")).isEqualTo("1");
        return fetch.child("Properties");
    }

    private static byte[] attachment(EasTestClient client, String reference) {
        WbxmlElement request = WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations").child("Fetch", f -> f
                .child("Store", "Mailbox").child("AirSyncBase:FileReference", reference)).build();
        WbxmlElement fetch = client.post("ItemOperations", request).body().child("Response").child("Fetch");
        assertThat(fetch.childText("Status")).isEqualTo("1");
        return Base64.getDecoder().decode(fetch.child("Properties").childText("Data"));
    }

    @Test
    void addChangeAndDeleteADraftWithAttachmentsIn16() {
        Folder drafts = drafts();
        EasTestClient client = client("drafts-16", "16.1");
        String key = prime(client, drafts.id());

        WbxmlElement added = collection(client, sync(key, drafts.id(), newDraft("draft-1")));
        assertThat(added.childText("Status")).isEqualTo("1");
        key = added.childText("SyncKey");
        WbxmlElement add = added.child("Responses").child("Add");
        assertThat(add.childText("ClientId")).isEqualTo("draft-1");
        assertThat(add.childText("Status")).isEqualTo("1");
        String serverId = add.childText("ServerId");
        List<WbxmlElement> ids = add.child("ApplicationData").child("AirSyncBase:Attachments")
                .children("Attachment");
        assertThat(ids).extracting(a -> a.childText("ClientId")).containsExactly("att-1", "att-2");
        String chart = ids.get(0).childText("FileReference");
        String notes = ids.get(1).childText("FileReference");
        assertThat(attachment(client, chart)).isEqualTo(PNG);
        assertThat(attachment(client, notes)).isEqualTo(NOTES);

        // stored as MIME built from the fields as sent
        Item stored = store.item("alice", drafts.id(), serverId).block();
        ParsedEmail parsed = ParsedEmail.parse(((ItemContent.Email) stored.content()).mime());
        assertThat(parsed.subject()).isEqualTo("Quarterly plan");
        assertThat(parsed.to()).isEqualTo("\"Bob\" <bob@example.com>");
        assertThat(parsed.cc()).isEqualTo("carol@example.com");
        assertThat(parsed.bcc()).isEqualTo("dave@example.com");
        assertThat(parsed.importance()).isEqualTo(2);
        assertThat(parsed.plainBody()).contains("First draft of the plan.");

        WbxmlElement properties = fetch(client, drafts.id(), serverId);
        assertThat(properties.childText("Email2:IsDraft")).isEqualTo("1");
        assertThat(properties.childText("Email2:Bcc")).isEqualTo("dave@example.com");
        assertThat(properties.childText("Email:Subject")).isEqualTo("Quarterly plan");

        // Change: new subject and body, one attachment deleted, one added; To, Cc and Bcc are kept
        String changeKey = key;
        WbxmlElement changed = collection(client, sync(changeKey, drafts.id(), cmds -> cmds.child("Change", c -> c
                .child("ServerId", serverId)
                .child("ApplicationData", d -> d
                        .child("Email:Subject", "Quarterly plan v2")
                        .child("AirSyncBase:Body", b -> b.child("Type", 2).child("Data", "<p>Second draft</p>"))
                        .child("AirSyncBase:Attachments", list -> list
                                .child("Delete", x -> x.child("FileReference", chart))
                                .child("Add", x -> x.child("ClientId", "att-3").child("DisplayName", "budget.csv")
                                        .child("Method", 1).child("ContentType", "text/csv")
                                        .opaque("Content", "a,b\n1,2\n".getBytes(StandardCharsets.US_ASCII))))))));
        assertThat(changed.childText("Status")).isEqualTo("1");
        key = changed.childText("SyncKey");
        WbxmlElement change = changed.child("Responses").child("Change");
        assertThat(change.childText("Status")).isEqualTo("1");
        WbxmlElement newAttachment = change.child("ApplicationData").child("AirSyncBase:Attachments")
                .child("Attachment");
        assertThat(newAttachment.childText("ClientId")).isEqualTo("att-3");
        assertThat(new String(attachment(client, newAttachment.childText("FileReference")),
                StandardCharsets.US_ASCII)).isEqualTo("a,b\n1,2\n");

        WbxmlElement after = fetch(client, drafts.id(), serverId);
        assertThat(after.childText("Email:Subject")).isEqualTo("Quarterly plan v2");
        assertThat(after.childText("Email:To")).isEqualTo("\"Bob\" <bob@example.com>");
        assertThat(after.childText("Email2:Bcc")).isEqualTo("dave@example.com");
        assertThat(after.child("AirSyncBase:Body").childText("Data")).contains("Second draft");
        assertThat(after.child("AirSyncBase:Attachments").children("Attachment"))
                .extracting(a -> a.childText("DisplayName")).containsExactly("notes.txt", "budget.csv");

        // a Delete of an attachment the draft does not have is a conversion error; the draft is unchanged
        String deleteKey = key;
        WbxmlElement bad = collection(client, sync(deleteKey, drafts.id(), cmds -> cmds.child("Change", c -> c
                .child("ServerId", serverId)
                .child("ApplicationData", d -> d.child("AirSyncBase:Attachments", list -> list
                        .child("Delete", x -> x.child("FileReference", "nope")))))));
        key = bad.childText("SyncKey");
        assertThat(bad.child("Responses").child("Change").childText("Status")).isEqualTo("6");

        // Delete
        String removeKey = key;
        WbxmlElement deleted = collection(client, sync(removeKey, drafts.id(), cmds -> cmds.child("Delete",
                d -> d.child("ServerId", serverId))));
        assertThat(deleted.childText("Status")).isEqualTo("1");
        assertThat(store.item("alice", drafts.id(), serverId).blockOptional()).isEmpty();
    }

    @Test
    void draftsAreRefusedBefore16AndOutsideTheDraftsFolder() {
        Folder drafts = drafts();
        EasTestClient old = client("drafts-141", "14.1");
        String key = prime(old, drafts.id());
        WbxmlElement refused = collection(old, sync(key, drafts.id(), newDraft("old-1")));
        assertThat(refused.child("Responses").child("Add").childText("Status")).isEqualTo("6");

        Folder inbox = store.folders("alice").filter(f -> f.type() == FolderType.INBOX).blockFirst();
        EasTestClient client = client("drafts-inbox", "16.0");
        String inboxKey = prime(client, inbox.id());
        WbxmlElement notDrafts = collection(client, sync(inboxKey, inbox.id(), newDraft("inbox-1")));
        assertThat(notDrafts.child("Responses").child("Add").childText("Status")).isEqualTo("6");

        // 14.1 renders no IsDraft; 16.0 renders IsDraft 0 for delivered mail
        Item mail = store.add("alice", inbox.id(), SyncIntegrationTest.email("Delivered", "hello")).block();
        assertThat(fetch(old, inbox.id(), mail.id()).child("Email2:IsDraft")).isNull();
        assertThat(fetch(client, inbox.id(), mail.id()).childText("Email2:IsDraft")).isEqualTo("0");
    }
}
