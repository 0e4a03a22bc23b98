package dev.easgate.core.command.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.content.AttachmentReference;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GetAttachment (12.x) over real HTTP. */
class GetAttachmentIntegrationTest {
    static final byte[] PDF = "%PDF-1.4 a small report".getBytes(StandardCharsets.US_ASCII);
    private static GatewayTestServer server;
    private static Item item;
    private static EasTestClient client;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
        MailStore store = server.gateway().services().mailStore();
        Folder folder = store.createFolder("bob", Folder.ROOT, "getattachment", FolderType.USER_MAIL).block();
        String mime = "From: a@example.com\r\nTo: b@example.com\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nSee the report.\r\n"
                + "--b1\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\n"
                + "Content-Disposition: attachment; filename=\"r.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(PDF)
                + "\r\n--b1--\r\n";
        item = store.add("bob", folder.id(), new ItemContent.Email(mime.getBytes(StandardCharsets.US_ASCII),
                EmailFlags.UNREAD)).block();
        client = server.client("bob", "getattachment-device").protocolVersion("12.1");
        client.provision();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static EasTestClient.Response get(EasTestClient c, String name) {
        return c.postBytes("GetAttachment", new byte[0], null, name == null ? Map.of() : Map.of("AttachmentName", name));
    }

    @Test
    void aFileReferenceStreamsTheAttachmentWithItsContentType() {
        EasTestClient.Response response = get(client, new AttachmentReference(item.folderId(), item.id(), 1).format());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/pdf");
        assertThat(response.bytes()).isEqualTo(PDF);
    }

    @Test
    void unknownOrMalformedNamesAre500AndNewerClients501() {
        assertThat(get(client, "nonsense").status()).isEqualTo(500);
        assertThat(get(client, null).status()).isEqualTo(500);
        assertThat(get(client, new AttachmentReference(item.folderId(), "no-such-item", 1).format()).status())
                .isEqualTo(500);
        assertThat(get(client, new AttachmentReference(item.folderId(), item.id(), 0).format()).status())
                .isEqualTo(500);
        EasTestClient newer = server.client("bob", "getattachment-device").policyKey(client.policyKey())
                .protocolVersion("14.1");
        assertThat(get(newer, new AttachmentReference(item.folderId(), item.id(), 1).format()).status())
                .isEqualTo(501);
    }
}
