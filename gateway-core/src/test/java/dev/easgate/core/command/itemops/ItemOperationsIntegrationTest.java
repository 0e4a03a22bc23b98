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
        return WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations").child("Fetch", f -> f
                .child("Store", "Mailbox")
                .child("AirSync:CollectionId", item.folderId())
                .child("AirSync:ServerId", item.id())
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
        EasTestClient.Response response = client.post("ItemOperations", fetchFile(reference, null),
                Map.of("AcceptMultiPart", "T"));
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
}
