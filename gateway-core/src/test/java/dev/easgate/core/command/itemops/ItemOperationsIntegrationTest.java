package dev.easgate.core.command.itemops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ItemOperations over real HTTP. */
class ItemOperationsIntegrationTest {
    private static GatewayTestServer server;
    private static MailStore store;
    static final byte[] PDF = "%PDF-1.4 pretend this is a report".getBytes(StandardCharsets.US_ASCII);

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
        store = server.gateway().services().mailStore();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static ItemContent.Email withAttachment() {
        String mime = "From: a@example.com\r\nTo: b@example.com\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nSee the report.\r\n"
                + "--b1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
                + "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(PDF)
                + "\r\n--b1--\r\n";
        return new ItemContent.Email(mime.getBytes(StandardCharsets.US_ASCII), EmailFlags.UNREAD);
    }

    private static EasTestClient client(String device) {
        EasTestClient client = server.client("bob", device);
        client.provision();
        return client;
    }

    private static Item seeded() {
        Folder folder = store.createFolder("bob", Folder.ROOT, "itemops-" + System.nanoTime(),
                FolderType.USER_MAIL).block();
        return store.add("bob", folder.id(), withAttachment()).block();
    }

    private static WbxmlElement fetchItem(Item item) {
        return fetchItem(item.folderId(), item.id());
    }

    private static WbxmlElement fetchItem(String folderId, String serverId) {
        return WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations").child("Fetch", f -> f
                .child("Store", "Mailbox")
                .child("AirSync:CollectionId", folderId)
                .child("AirSync:ServerId", serverId)
                .child("Options", o -> o.child("AirSyncBase:BodyPreference", b -> b.child("Type", 1)))).build();
    }

    private static WbxmlElement fetchFile(String reference, String range) {
        return WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations").child("Fetch", f -> {
            f.child("Store", "Mailbox").child("AirSyncBase:FileReference", reference);
            if (range != null) {
                f.child("Options", o -> o.child("Range", range));
            }
        }).build();
    }

    private static String fileReference(EasTestClient client, Item item) {
        WbxmlElement fetch = client.post("ItemOperations", fetchItem(item)).body().child("Response").child("Fetch");
        return fetch.child("Properties").child("AirSyncBase:Attachments").child("Attachment")
                .childText("FileReference");
    }

    @Test
    void fetchesABodyAndAnAttachmentByItsFileReference() {
        Item item = seeded();
        EasTestClient client = client("io-fetch");
        EasTestClient.Response response = client.post("ItemOperations", fetchItem(item));
        assertThat(response.text("Status")).isEqualTo("1");
        WbxmlElement fetch = response.body().child("Response").child("Fetch");
        assertThat(fetch.childText("Status")).isEqualTo("1");
        WbxmlElement body = fetch.child("Properties").child("AirSyncBase:Body");
        assertThat(body.childText("Data")).contains("See the report.");

        String reference = fileReference(client, item);
        WbxmlElement file = client.post("ItemOperations", fetchFile(reference, null)).body().child("Response")
                .child("Fetch");
        assertThat(file.childText("Status")).isEqualTo("1");
        WbxmlElement properties = file.child("Properties");
        assertThat(properties.childText("AirSyncBase:ContentType")).isEqualTo("application/pdf");
        assertThat(Base64.getDecoder().decode(properties.childText("Data"))).isEqualTo(PDF);

        WbxmlElement part = client.post("ItemOperations", fetchFile(reference, "0-3")).body().child("Response")
                .child("Fetch").child("Properties");
        assertThat(part.childText("Range")).isEqualTo("0-3");
        assertThat(part.childText("Total")).isEqualTo(Integer.toString(PDF.length));
        assertThat(Base64.getDecoder().decode(part.childText("Data"))).isEqualTo(Arrays.copyOf(PDF, 4));

        assertThat(client.post("ItemOperations", fetchFile("garbage", null)).body().child("Response")
                .child("Fetch").childText("Status")).isEqualTo("15");
        assertThat(client.post("ItemOperations", fetchFile(reference, "9999-10000")).body().child("Response")
                .child("Fetch").childText("Status")).isEqualTo("8");
    }

    @Test
    void multipartResponseCarriesTheAttachmentAsAPart() {
        Item item = seeded();
        EasTestClient client = client("io-multipart");
        String reference = fileReference(client, item);
        // MS-ASHTTP: the plain query form asks for it with the MS-ASAcceptMultiPart header
        EasTestClient.Response response = client.header("MS-ASAcceptMultiPart", "T")
                .post("ItemOperations", fetchFile(reference, null));
        assertThat(response.header("Content-Type")).startsWith("application/vnd.ms-sync.multipart");
        ByteBuffer in = ByteBuffer.wrap(response.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(in.getInt()).isEqualTo(2);
        int wbxmlOffset = in.getInt();
        int wbxmlLength = in.getInt();
        int dataOffset = in.getInt();
        int dataLength = in.getInt();
        WbxmlElement wbxml = WbxmlDecoder.DEFAULT.decode(
                Arrays.copyOfRange(response.bytes(), wbxmlOffset, wbxmlOffset + wbxmlLength));
        assertThat(wbxml.child("Response").child("Fetch").child("Properties").childText("Part")).isEqualTo("1");
        assertThat(Arrays.copyOfRange(response.bytes(), dataOffset, dataOffset + dataLength)).isEqualTo(PDF);
    }

    @Test
    void emptiesAFolderAndAnswersMissingItemsWith6() {
        Item item = seeded();
        EasTestClient client = client("io-empty");
        WbxmlElement request = WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations")
                .child("EmptyFolderContents", e -> e.child("AirSync:CollectionId", item.folderId())).build();
        WbxmlElement result = client.post("ItemOperations", request).body().child("Response")
                .child("EmptyFolderContents");
        assertThat(result.childText("Status")).isEqualTo("1");
        assertThat(store.changesSince("bob", item.folderId(), 0).block().changed()).isEmpty();
        assertThat(client.post("ItemOperations", fetchItem(item)).body().child("Response").child("Fetch")
                .childText("Status")).isEqualTo("6");
    }

    private static String fetchStatusOf(EasTestClient client, WbxmlElement request) {
        return client.post("ItemOperations", request).body().child("Response").child("Fetch").childText("Status");
    }

    @Test
    void fetchesAnAttachmentByFileReferenceAndByItsAttachmentNameFormIn12And14And16() {
        for (String version : new String[] {"12.0", "12.1", "14.0", "14.1", "16.0", "16.1"}) {
            Item item = seeded();
            EasTestClient client = server.client("bob", "io-versions-" + version.replace(".", ""))
                    .protocolVersion(version);
            client.provision();
            String reference = fileReference(client, item);
            WbxmlElement file = client.post("ItemOperations", fetchFile(reference, null)).body()
                    .child("Response").child("Fetch");
            assertThat(file.childText("Status")).as(version).isEqualTo("1");
            assertThat(Base64.getDecoder().decode(file.child("Properties").childText("Data"))).isEqualTo(PDF);

            // the AttachmentName form: the reference as a GetAttachment query string carries it, percent-encoded
            String attachmentName = java.net.URLEncoder.encode(reference, StandardCharsets.UTF_8);
            WbxmlElement named = client.post("ItemOperations", fetchFile(attachmentName, null)).body()
                    .child("Response").child("Fetch");
            assertThat(named.childText("Status")).as(version).isEqualTo("1");
            assertThat(named.childText("FileReference")).isEqualTo(attachmentName);
            assertThat(Base64.getDecoder().decode(named.child("Properties").childText("Data"))).isEqualTo(PDF);

            // MS-ASAIRS: a zero-length FileReference is 15; so is the reference of an item that is gone
            assertThat(fetchStatusOf(client, fetchFile("", null))).isEqualTo("15");
            store.delete("bob", item.folderId(), item.id()).block();
            assertThat(fetchStatusOf(client, fetchFile(reference, null))).as(version).isEqualTo("15");
        }
    }

    @Test
    void fetchesASearchResultByItsLongId() {
        Item item = seeded();
        EasTestClient client = client("io-longid");
        WbxmlElement search = WbxmlElement.el(CodePage.SEARCH, "Search").child("Store", s -> s
                .child("Name", "Mailbox")
                .child("Query", q -> q.child("And", a -> a
                        .child("AirSync:Class", "Email")
                        .child("AirSync:CollectionId", item.folderId())
                        .child("FreeText", "report")))
                .child("Options", o -> o.empty("RebuildResults").child("Range", "0-9"))).build();
        WbxmlElement result = client.post("Search", search).body().child("Response").child("Store").child("Result");
        String longId = result.childText("LongId");
        assertThat(longId).isNotBlank();

        WbxmlElement request = WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations").child("Fetch", f -> f
                .child("Store", "Mailbox")
                .child("Search:LongId", longId)
                .child("Options", o -> o.child("AirSyncBase:BodyPreference", b -> b.child("Type", 1)))).build();
        WbxmlElement fetch = client.post("ItemOperations", request).body().child("Response").child("Fetch");
        assertThat(fetch.childText("Status")).isEqualTo("1");
        assertThat(fetch.childText("Search:LongId")).isEqualTo(longId);
        assertThat(fetch.childText("AirSync:Class")).isEqualTo("Email");
        WbxmlElement properties = fetch.child("Properties");
        assertThat(properties.childText("Email:Subject")).isEqualTo("report");
        assertThat(properties.child("AirSyncBase:Body").childText("Data")).contains("See the report.");
        assertThat(properties.child("AirSyncBase:Attachments")).isNotNull();

        WbxmlElement unknown = WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations").child("Fetch", f -> f
                .child("Store", "Mailbox").child("Search:LongId", "not-a-long-id")).build();
        WbxmlElement answer = client.post("ItemOperations", unknown).body().child("Response").child("Fetch");
        assertThat(answer.childText("Status")).isEqualTo("6");
        assertThat(answer.childText("Search:LongId")).isEqualTo("not-a-long-id");
        store.delete("bob", item.folderId(), item.id()).block();
        assertThat(fetchStatusOf(client, request)).isEqualTo("6");
    }

    @Test
    void aNoteIsClassNotesFrom14AndHasNoClassBefore() {
        Folder notes = store.folders("bob").filter(f -> f.type() == FolderType.NOTES).blockFirst();
        String noteId = store.changesSince("bob", notes.id(), 0).block().changed().get(0).id();
        Folder inbox = store.folders("bob").filter(f -> f.type() == FolderType.INBOX).blockFirst();
        String mailId = store.changesSince("bob", inbox.id(), 0).block().changed().get(0).id();
        for (String version : new String[] {"12.0", "12.1", "14.0", "14.1", "16.0", "16.1"}) {
            EasTestClient client = server.client("bob", "io-class-" + version.replace(".", ""))
                    .protocolVersion(version);
            client.provision();
            WbxmlElement note = client.post("ItemOperations", fetchItem(notes.id(), noteId)).body()
                    .child("Response").child("Fetch");
            assertThat(note.childText("Status")).as(version).isEqualTo("1");
            if (version.startsWith("12.")) {
                // MS-ASCMD 2.2.3.27.3: the "Notes" value is valid only from 14.0
                assertThat(note.child("AirSync:Class")).as(version).isNull();
            } else {
                assertThat(note.childText("AirSync:Class")).as(version).isEqualTo("Notes");
            }
            WbxmlElement mail = client.post("ItemOperations", fetchItem(inbox.id(), mailId)).body()
                    .child("Response").child("Fetch");
            assertThat(mail.childText("AirSync:Class")).as(version).isEqualTo("Email");
        }
    }

    @Test
    void theConversationMoveIs156From14AndAnUnknownOperationBefore() {
        for (String version : new String[] {"12.1", "14.0"}) {
            EasTestClient client = server.client("bob", "io-move-" + version.replace(".", "")).protocolVersion(version);
            client.provision();
            WbxmlElement response = client.post("ItemOperations", WbxmlElement.el(CodePage.ITEM_OPERATIONS,
                    "ItemOperations").child("Move", m -> m.child("ConversationId", "c-1").child("DstFldId", "1")
                    .child("Options", o -> o.empty("MoveAlways"))).build()).body().child("Response");
            if (version.equals("14.0")) {
                assertThat(response.child("Move").childText("Status")).isEqualTo("156");
                assertThat(response.child("Move").childText("ConversationId")).isEqualTo("c-1");
            } else {
                // MS-ASCMD 2.2.3.117.1: Move is 14.0+, so no Move element before
                assertThat(response.child("Move")).isNull();
                assertThat(response.child("Fetch").childText("Status")).isEqualTo("2");
            }
        }
    }
}
