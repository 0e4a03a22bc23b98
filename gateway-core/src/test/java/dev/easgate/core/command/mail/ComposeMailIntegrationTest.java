package dev.easgate.core.command.mail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.Opaque;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ComposeMailIntegrationTest {
    private static GatewayTestServer server;
    private static EasTestClient demo;
    private static EasTestClient alice;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start();
        demo = server.client("demo", "compose-demo");
        alice = server.client("alice", "compose-alice");
        assertThat(demo.provision().status()).isEqualTo(200);
        assertThat(alice.provision().status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static MailStore store() {
        return server.gateway().services().mailStore();
    }


    private static MimeMessage parse(byte[] mime) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(mime));
    }

    /** The one email in the folder whose subject contains {@code marker}, or null. */
    private static Item find(String user, FolderType type, String marker) throws Exception {
        Item found = null;
        for (Item item : server.items(user, type)) {
            if (item.content() instanceof ItemContent.Email email
                    && String.valueOf(parse(email.mime()).getSubject()).contains(marker)) {
                assertThat(found).as("one message with " + marker).isNull();
                found = item;
            }
        }
        return found;
    }

    private static byte[] mime(String... lines) {
        return (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static WbxmlElement sendMail(byte[] mime, boolean saveInSent) {
        WbxmlElement.Builder root = WbxmlElement.el(CodePage.COMPOSE_MAIL, "SendMail")
                .child("ClientId", UUID.randomUUID().toString());
        if (saveInSent) {
            root.empty("SaveInSentItems");
        }
        return root.opaque("Mime", Opaque.of(mime)).build();
    }

    private static String bodyText(byte[] mime) throws Exception {
        Object content = parse(mime).getContent();
        if (content instanceof String s) {
            return s;
        }
        return String.valueOf(((Multipart) content).getBodyPart(0).getContent());
    }

    /** alice sends demo a message and returns demo's Inbox copy. */
    private static Item aliceWritesToDemo(String marker) throws Exception {
        EasTestClient.Response sent = alice.post("SendMail", sendMail(mime(
                "To: Demo User <demo@example.com>", "Cc: bob@example.com", "Subject: " + marker,
                "MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8", "",
                "Original text of " + marker), false));
        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.bytes()).isEmpty();
        return find("demo", FolderType.INBOX, marker);
    }

    // ---- SendMail -----------------------------------------------------------------------------------------------

    @Test
    void sendMail161DeliversToTheLocalRecipientAndSavesASentCopy() throws Exception {
        String marker = "send-16-" + UUID.randomUUID();
        EasTestClient.Response response = demo.post("SendMail", sendMail(mime(
                "From: spoofed@evil.example", "To: Alice <alice@example.com>", "Cc: someone@elsewhere.example",
                "Bcc: bob@example.com", "Subject: " + marker, "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=UTF-8", "", "Hello Alice"), true));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bytes()).isEmpty();
        Item atAlice = find("alice", FolderType.INBOX, marker);
        assertThat(atAlice).isNotNull();
        ItemContent.Email delivered = (ItemContent.Email) atAlice.content();
        assertThat(delivered.flags().read()).isFalse();
        MimeMessage message = parse(delivered.mime());
        assertThat(message.getHeader("From", null)).isEqualTo("Demo User <demo@example.com>");
        assertThat(message.getHeader("Bcc")).isNull();
        assertThat(message.getHeader("Message-ID")).isNotNull();
        assertThat(find("bob", FolderType.INBOX, marker)).as("Bcc recipient").isNotNull();
        Item sent = find("demo", FolderType.SENT_ITEMS, marker);
        assertThat(sent).isNotNull();
        assertThat(((ItemContent.Email) sent.content()).flags().read()).isTrue();
        assertThat(parse(((ItemContent.Email) sent.content()).mime()).getHeader("Bcc", null))
                .isEqualTo("bob@example.com");
    }

    @Test
    void sendMail121TakesRawMimeAndSaveInSentFromTheQuery() throws Exception {
        EasTestClient legacy = server.client("demo", "compose-legacy").protocolVersion("12.1");
        assertThat(legacy.provision().status()).isEqualTo(200);
        String marker = "send-12-" + UUID.randomUUID();

        EasTestClient.Response response = legacy.postBytes("SendMail", mime("To: alice@example.com",
                        "Subject: " + marker, "", "Raw MIME body"), "message/rfc822", Map.of("SaveInSent", "T"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(find("alice", FolderType.INBOX, marker)).isNotNull();
        assertThat(find("demo", FolderType.SENT_ITEMS, marker)).isNotNull();
    }

    @Test
    void sendMailWithoutSaveInSentKeepsNoCopy() throws Exception {
        String marker = "no-copy-" + UUID.randomUUID();
        assertThat(demo.post("SendMail", sendMail(mime("To: alice@example.com", "Subject: " + marker, "", "x"),
                false)).status()).isEqualTo(200);

        assertThat(find("alice", FolderType.INBOX, marker)).isNotNull();
        assertThat(find("demo", FolderType.SENT_ITEMS, marker)).isNull();
    }

    @Test
    void sendMailWithoutRecipientsAnswersStatus119() throws Exception {
        String marker = "nobody-" + UUID.randomUUID();
        EasTestClient.Response response = demo.post("SendMail",
                sendMail(mime("Subject: " + marker, "", "to nobody"), true));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().name()).isEqualTo("SendMail");
        assertThat(response.text("Status")).isEqualTo("119");
        assertThat(find("demo", FolderType.SENT_ITEMS, marker)).isNull();
    }

    @Test
    void sendMailWithoutMimeAnswersStatus103AndTheSameClientIdTwiceAnswers118() {
        EasTestClient.Response noMime = demo.post("SendMail", WbxmlElement.el(CodePage.COMPOSE_MAIL, "SendMail")
                .child("ClientId", "c-1").build());
        assertThat(noMime.text("Status")).isEqualTo("103");

        WbxmlElement once = WbxmlElement.el(CodePage.COMPOSE_MAIL, "SendMail").child("ClientId", "same-client-id")
                .opaque("Mime", mime("To: alice@example.com", "Subject: twice", "", "x")).build();
        assertThat(demo.post("SendMail", once).bytes()).isEmpty();
        assertThat(demo.post("SendMail", once).text("Status")).isEqualTo("118");
    }

    // ---- SmartReply ---------------------------------------------------------------------------------------------

    @Test
    void smartReplyQuotesTheOriginalAndRecordsReplyToSender() throws Exception {
        String marker = "reply-" + UUID.randomUUID();
        Item original = aliceWritesToDemo(marker);

        EasTestClient.Response response = demo.post("SmartReply", WbxmlElement.el(CodePage.COMPOSE_MAIL,
                        "SmartReply")
                .child("ClientId", UUID.randomUUID().toString())
                .child("Source", s -> s.child("FolderId", original.folderId()).child("ItemId", original.id()))
                .empty("SaveInSentItems")
                .opaque("Mime", mime("To: alice@example.com", "Subject: Re: " + marker, "", "My answer"))
                .build());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bytes()).isEmpty();
        Item reply = find("alice", FolderType.INBOX, "Re: " + marker);
        assertThat(reply).isNotNull();
        byte[] replyMime = ((ItemContent.Email) reply.content()).mime();
        assertThat(bodyText(replyMime)).startsWith("My answer").contains("> Original text of " + marker);
        MimeMessage replyMessage = parse(replyMime);
        String originalId = parse(((ItemContent.Email) original.content()).mime()).getHeader("Message-ID", null);
        assertThat(replyMessage.getHeader("In-Reply-To", null)).isEqualTo(originalId);
        EmailFlags flags = ((ItemContent.Email) store().item("demo", original.folderId(), original.id()).block()
                .content()).flags();
        assertThat(flags.lastVerb()).isEqualTo(1);
        assertThat(flags.lastVerbTime()).isNotNull();
    }

    @Test
    void smartReplyWithReplaceMimeSendsTheClientTextAndRecordsReplyAll() throws Exception {
        String marker = "reply-all-" + UUID.randomUUID();
        Item original = aliceWritesToDemo(marker);

        EasTestClient.Response response = demo.post("SmartReply", WbxmlElement.el(CodePage.COMPOSE_MAIL,
                        "SmartReply")
                .child("ClientId", UUID.randomUUID().toString())
                .child("Source", s -> s.child("FolderId", original.folderId()).child("ItemId", original.id()))
                .empty("ReplaceMime")
                .opaque("Mime", mime("To: alice@example.com", "Cc: bob@example.com", "Subject: Re: " + marker, "",
                        "Edited inline"))
                .build());

        assertThat(response.bytes()).isEmpty();
        Item reply = find("bob", FolderType.INBOX, "Re: " + marker);
        assertThat(bodyText(((ItemContent.Email) reply.content()).mime())).contains("Edited inline")
                .doesNotContain("Original text of");
        EmailFlags flags = ((ItemContent.Email) store().item("demo", original.folderId(), original.id()).block()
                .content()).flags();
        assertThat(flags.lastVerb()).isEqualTo(2);
    }

    @Test
    void smartReplyToAMissingItemAnswersStatus150() {
        String inbox = server.folderId("demo", FolderType.INBOX);
        EasTestClient.Response response = demo.post("SmartReply", WbxmlElement.el(CodePage.COMPOSE_MAIL,
                        "SmartReply")
                .child("ClientId", UUID.randomUUID().toString())
                .child("Source", s -> s.child("FolderId", inbox).child("ItemId", "no-such-item"))
                .opaque("Mime", mime("To: alice@example.com", "Subject: Re: gone", "", "?"))
                .build());

        assertThat(response.body().name()).isEqualTo("SmartReply");
        assertThat(response.text("Status")).isEqualTo("150");
    }

    // ---- SmartForward -------------------------------------------------------------------------------------------

    @Test
    void smartForwardAttachesTheOriginalAndRecordsForward() throws Exception {
        String marker = "forward-" + UUID.randomUUID();
        Item original = aliceWritesToDemo(marker);

        EasTestClient.Response response = demo.post("SmartForward", WbxmlElement.el(CodePage.COMPOSE_MAIL,
                        "SmartForward")
                .child("ClientId", UUID.randomUUID().toString())
                .child("Source", s -> s.child("FolderId", original.folderId()).child("ItemId", original.id()))
                .opaque("Mime", mime("To: bob@example.com", "Subject: Fwd: " + marker, "", "See below"))
                .build());

        assertThat(response.bytes()).isEmpty();
        Item forward = find("bob", FolderType.INBOX, "Fwd: " + marker);
        MimeMessage message = parse(((ItemContent.Email) forward.content()).mime());
        Multipart parts = (Multipart) message.getContent();
        assertThat(parts.getBodyPart(0).getContent().toString()).contains("See below");
        assertThat(parts.getBodyPart(1).isMimeType("message/rfc822")).isTrue();
        assertThat(((MimeMessage) parts.getBodyPart(1).getContent()).getSubject()).isEqualTo(marker);
        EmailFlags flags = ((ItemContent.Email) store().item("demo", original.folderId(), original.id()).block()
                .content()).flags();
        assertThat(flags.lastVerb()).isEqualTo(3);
    }

    @Test
    void smartForward121UsesTheQueryParameters() throws Exception {
        EasTestClient legacy = server.client("demo", "compose-legacy-fwd").protocolVersion("12.1");
        legacy.provision();
        String marker = "forward-12-" + UUID.randomUUID();
        Item original = aliceWritesToDemo(marker);

        EasTestClient.Response response = legacy.postBytes("SmartForward",
                mime("To: bob@example.com", "Subject: Fwd: " + marker, "", "FYI"), "message/rfc822",
                Map.of("ItemId", original.id(), "CollectionId", original.folderId(), "SaveInSent", "T"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(find("bob", FolderType.INBOX, "Fwd: " + marker)).isNotNull();
        assertThat(find("demo", FolderType.SENT_ITEMS, "Fwd: " + marker)).isNotNull();
    }
}
