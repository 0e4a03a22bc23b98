package dev.easgate.core.command.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.backends.auth.Account;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MessageComposerTest {
    private static final Account DEMO = new Account("demo", "Demo User", "demo@example.com");
    private static final Instant NOW = Instant.parse("2025-03-04T10:15:30Z");

    private final MessageComposer composer = new MessageComposer();

    private static byte[] mime(String... lines) {
        return (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static final byte[] ORIGINAL = mime(
            "From: Alice Walker <alice@example.com>",
            "To: Demo User <demo@example.com>",
            "Cc: bob@example.com",
            "Subject: Lunch on Friday?",
            "Date: Mon, 3 Mar 2025 09:00:00 +0000",
            "Message-ID: <orig-1@example.com>",
            "References: <older-0@example.com>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "",
            "Shall we meet at noon?",
            "Alice");

    @Test
    void setsFromDateAndMessageIdAndStripsBccFromTheDeliveredCopyOnly() throws Exception {
        byte[] client = mime(
                "From: someone-else@evil.example",
                "Sender: someone-else@evil.example",
                "To: alice@example.com",
                "Cc: Bob <BOB@example.com>, alice@example.com",
                "Bcc: carol@example.org",
                "Subject: hi",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=UTF-8",
                "",
                "Hello");

        ComposedMessage out = composer.compose(client, DEMO, NOW, ComposeMode.SEND, null, false);

        assertThat(out.recipients()).containsExactly("alice@example.com", "bob@example.com", "carol@example.org");
        MimeMessage delivered = parse(out.delivered());
        assertThat(delivered.getHeader("From", null)).isEqualTo("Demo User <demo@example.com>");
        assertThat(delivered.getHeader("Sender")).isNull();
        assertThat(delivered.getHeader("Bcc")).isNull();
        assertThat(delivered.getSentDate().toInstant()).isEqualTo(NOW);
        assertThat(delivered.getHeader("Message-ID", null)).matches("<[0-9a-f-]+@example\\.com>")
                .isEqualTo(out.messageId());
        assertThat(((String) delivered.getContent()).strip()).isEqualTo("Hello");
        MimeMessage sentCopy = parse(out.sentCopy());
        assertThat(sentCopy.getHeader("Bcc", null)).isEqualTo("carol@example.org");
        assertThat(sentCopy.getHeader("Message-ID", null)).isEqualTo(out.messageId());
    }

    @Test
    void keepsTheClientsDateAndMessageId() throws Exception {
        byte[] client = mime("To: alice@example.com", "Date: Sun, 2 Mar 2025 08:00:00 +0000",
                "Message-ID: <phone-42@example.com>", "Subject: x", "", "body");

        ComposedMessage out = composer.compose(client, DEMO, NOW, ComposeMode.SEND, null, false);

        MimeMessage delivered = parse(out.delivered());
        assertThat(delivered.getSentDate().toInstant()).isEqualTo(Instant.parse("2025-03-02T08:00:00Z"));
        assertThat(out.messageId()).isEqualTo("<phone-42@example.com>");
    }

    @Test
    void refusesAMessageWithoutRecipients() {
        byte[] client = mime("Subject: nobody", "", "text");

        assertThatThrownBy(() -> composer.compose(client, DEMO, NOW, ComposeMode.SEND, null, false))
                .isInstanceOfSatisfying(ComposeException.class,
                        e -> assertThat(e.status()).isEqualTo(ComposeStatus.MESSAGE_HAS_NO_RECIPIENT));
    }

    @Test
    void refusesAnAddressWithoutDomain() {
        byte[] client = mime("To: not-an-address", "Subject: x", "", "text");

        assertThatThrownBy(() -> composer.compose(client, DEMO, NOW, ComposeMode.SEND, null, false))
                .isInstanceOfSatisfying(ComposeException.class,
                        e -> assertThat(e.status()).isEqualTo(ComposeStatus.INVALID_MIME));
    }

    @Test
    void replyQuotesTheOriginalBelowTheNewTextAndThreads() throws Exception {
        byte[] client = mime("To: alice@example.com", "Subject: Re: Lunch on Friday?", "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=UTF-8", "", "Yes, noon works.");

        ComposedMessage out = composer.compose(client, DEMO, NOW, ComposeMode.REPLY, ORIGINAL, false);

        MimeMessage delivered = parse(out.delivered());
        String body = (String) delivered.getContent();
        assertThat(body).startsWith("Yes, noon works.")
                .contains("On Mon, 3 Mar 2025 09:00 UTC, Alice Walker <alice@example.com> wrote:")
                .contains("> Shall we meet at noon?\r\n> Alice");
        assertThat(body.indexOf("Yes, noon works.")).isLessThan(body.indexOf("> Shall we"));
        assertThat(delivered.getHeader("In-Reply-To", null)).isEqualTo("<orig-1@example.com>");
        assertThat(delivered.getHeader("References", null)).isEqualTo("<older-0@example.com> <orig-1@example.com>");
    }

    @Test
    void replyQuotesIntoBothAlternativesOfAMultipartMessage() throws Exception {
        byte[] client = mime("To: alice@example.com", "Subject: Re: Lunch", "MIME-Version: 1.0",
                "Content-Type: multipart/alternative; boundary=\"b1\"", "",
                "--b1", "Content-Type: text/plain; charset=UTF-8", "", "Plain answer",
                "--b1", "Content-Type: text/html; charset=UTF-8", "", "<html><body><p>Html answer</p></body></html>",
                "--b1--");

        ComposedMessage out = composer.compose(client, DEMO, NOW, ComposeMode.REPLY, ORIGINAL, false);

        Multipart parts = (Multipart) parse(out.delivered()).getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat((String) parts.getBodyPart(0).getContent()).startsWith("Plain answer").contains("> Alice");
        assertThat((String) parts.getBodyPart(1).getContent())
                .contains("<p>Html answer</p><div>").contains("<blockquote").contains("Shall we meet at noon?")
                .endsWith("</blockquote></body></html>");
    }

    @Test
    void replyWithReplaceMimeSendsTheClientTextAloneButStillThreads() throws Exception {
        byte[] client = mime("To: alice@example.com", "Subject: Re: Lunch", "", "Edited inline, all mine.");

        ComposedMessage out = composer.compose(client, DEMO, NOW, ComposeMode.REPLY, ORIGINAL, true);

        MimeMessage delivered = parse(out.delivered());
        assertThat(((String) delivered.getContent()).strip()).isEqualTo("Edited inline, all mine.");
        assertThat(delivered.getHeader("In-Reply-To", null)).isEqualTo("<orig-1@example.com>");
    }

    @Test
    void forwardAttachesTheOriginalAsMessageRfc822() throws Exception {
        byte[] client = mime("To: bob@example.com", "Subject: Fwd: Lunch on Friday?", "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=UTF-8", "", "FYI");

        ComposedMessage out = composer.compose(client, DEMO, NOW, ComposeMode.FORWARD, ORIGINAL, false);

        MimeMessage delivered = parse(out.delivered());
        assertThat(delivered.isMimeType("multipart/mixed")).isTrue();
        Multipart parts = (Multipart) delivered.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat(((String) parts.getBodyPart(0).getContent()).strip()).isEqualTo("FYI");
        Part attached = parts.getBodyPart(1);
        assertThat(attached.isMimeType("message/rfc822")).isTrue();
        assertThat(attached.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(attached.getFileName()).isEqualTo("Lunch on Friday_.eml");
        MimeMessage inner = (MimeMessage) attached.getContent();
        assertThat(inner.getSubject()).isEqualTo("Lunch on Friday?");
        assertThat(inner.getHeader("Message-ID", null)).isEqualTo("<orig-1@example.com>");
        assertThat(delivered.getHeader("In-Reply-To")).isNull();
    }

    @Test
    void forwardWithReplaceMimeAddsNothing() throws Exception {
        byte[] client = mime("To: bob@example.com", "Subject: Fwd", "", "All inline");

        ComposedMessage out = composer.compose(client, DEMO, NOW, ComposeMode.FORWARD, ORIGINAL, true);

        assertThat(parse(out.delivered()).isMimeType("text/plain")).isTrue();
        assertThat(text(out.delivered())).doesNotContain("Shall we meet");
    }

    @Test
    void replyVerbIsReplyToSenderOnlyWhenNobodyElseIsAddressed() {
        assertThat(composer.replyVerb(ORIGINAL, List.of("alice@example.com"))).isEqualTo(1);
        assertThat(composer.replyVerb(ORIGINAL, List.of("alice@example.com", "bob@example.com"))).isEqualTo(2);
    }

    @Test
    void quotePrefixesEveryLine() {
        assertThat(MessageComposer.quote("a\nb\r\n>c\n")).isEqualTo("> a\r\n> b\r\n>>c\r\n");
    }

    @Test
    void htmlToTextDropsTagsAndDecodesEntities() {
        assertThat(MessageComposer.htmlToText("<p>One &amp; two</p><br>three<style>x{}</style>"))
                .isEqualTo("One & two\n\nthree");
    }
}
