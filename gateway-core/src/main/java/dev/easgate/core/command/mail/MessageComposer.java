package dev.easgate.core.command.mail;

import dev.easgate.backends.auth.Account;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

/**
 * Turns the MIME a phone sent into the message that goes out (pure CPU work, no I/O):
 * <ul>
 * <li>From is always the authenticated account (address and display name), whatever the phone wrote; a Sender
 *     header is removed;</li>
 * <li>Date and Message-ID are added when missing;</li>
 * <li>SmartReply without ReplaceMime: the original's text is quoted below the new text (MS-ASCMD 2.2.1.20: the
 *     server retrieves and sends the original), and In-Reply-To/References point at the original (RFC 5322
 *     3.6.4);</li>
 * <li>SmartForward without ReplaceMime: the original is attached whole as a message/rfc822 part (MS-ASCMD
 *     2.2.3.148: without ReplaceMime the original goes with the outgoing message as an attachment), which keeps
 *     its own attachments;</li>
 * <li>the delivered copy has no Bcc header; the sender's Sent Items copy keeps it.</li>
 * </ul>
 */
public final class MessageComposer {
    private static final DateTimeFormatter QUOTE_DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final String CRLF = "\r\n";

    private final Session session;

    public MessageComposer() {
        Properties properties = new Properties();
        // phones write all kinds of address lists: parse them like a mail reader, not like a validator
        properties.setProperty("mail.mime.address.strict", "false");
        this.session = Session.getInstance(properties);
    }

    /**
     * Composes the outgoing message.
     *
     * @param clientMime  the MIME the phone sent
     * @param sender      the authenticated account
     * @param now         the time for a missing Date
     * @param mode        send, reply or forward
     * @param original    the source email's MIME for a reply or forward, or {@code null}
     * @param replaceMime the phone sent the whole message: the original is not added
     * @throws ComposeException INVALID_MIME when the MIME or an address cannot be read, MESSAGE_HAS_NO_RECIPIENT
     */
    public ComposedMessage compose(byte[] clientMime, Account sender, Instant now, ComposeMode mode,
                                   byte[] original, boolean replaceMime) {
        try {
            OutgoingMimeMessage message = parse(clientMime);
            List<String> recipients = recipients(message);
            if (recipients.isEmpty()) {
                throw new ComposeException(ComposeStatus.MESSAGE_HAS_NO_RECIPIENT, "no To, Cc or Bcc");
            }
            message.setFrom(new InternetAddress(sender.primaryAddress(), sender.displayName(), "UTF-8"));
            message.removeHeader("Sender");
            if (message.getHeader("Date") == null) {
                message.setSentDate(Date.from(now));
            }
            if (message.getHeader("Message-ID") == null) {
                message.setHeader("Message-ID", newMessageId(sender.primaryAddress()));
            }
            if (original != null) {
                MimeMessage source = parse(original);
                if (mode == ComposeMode.REPLY) {
                    addThreadHeaders(message, source);
                    if (!replaceMime) {
                        quoteOriginal(message, source);
                    }
                } else if (mode == ComposeMode.FORWARD && !replaceMime) {
                    attachOriginal(message, source, original);
                }
            }
            byte[] sentCopy = write(message);
            message.removeHeader("Bcc");
            byte[] delivered = write(message);
            return new ComposedMessage(delivered, sentCopy, recipients, message.getHeader("Message-ID", null));
        } catch (MessagingException | IOException e) {
            throw new ComposeException(ComposeStatus.INVALID_MIME, "unreadable MIME: " + e.getClass().getSimpleName());
        }
    }

    /** Parses MIME; a message that cannot be read is INVALID_MIME. */
    OutgoingMimeMessage parse(byte[] mime) {
        try {
            return new OutgoingMimeMessage(session, mime);
        } catch (MessagingException e) {
            throw new ComposeException(ComposeStatus.INVALID_MIME, "unreadable MIME: " + e.getClass().getSimpleName());
        }
    }

    /** To, Cc and Bcc addresses in lower case, each once (group names and empty groups are skipped). */
    static List<String> recipients(MimeMessage message) throws MessagingException {
        Set<String> addresses = new LinkedHashSet<>();
        for (Message.RecipientType type : List.of(Message.RecipientType.TO, Message.RecipientType.CC,
                Message.RecipientType.BCC)) {
            Address[] list;
            try {
                list = message.getRecipients(type);
            } catch (AddressException e) {
                throw new ComposeException(ComposeStatus.INVALID_MIME, "unreadable " + type + " header");
            }
            if (list == null) {
                continue;
            }
            for (Address address : list) {
                if (address instanceof InternetAddress internet) {
                    collect(internet, addresses);
                }
            }
        }
        return new ArrayList<>(addresses);
    }

    private static void collect(InternetAddress address, Set<String> into) throws AddressException {
        if (address.isGroup()) {
            for (InternetAddress member : address.getGroup(false)) {
                collect(member, into);
            }
            return;
        }
        String value = address.getAddress();
        if (value == null || value.isBlank()) {
            return;
        }
        if (value.indexOf('@') <= 0 || value.indexOf('@') == value.length() - 1) {
            throw new ComposeException(ComposeStatus.INVALID_MIME, "recipient without a domain");
        }
        into.add(value.trim().toLowerCase(Locale.ROOT));
    }

    /** The From and Reply-To addresses of a message in lower case: who "reply to sender" answers. */
    static Set<String> senders(MimeMessage message) throws MessagingException {
        Set<String> addresses = new LinkedHashSet<>();
        for (String header : List.of("From", "Reply-To")) {
            String value = message.getHeader(header, ",");
            if (value == null) {
                continue;
            }
            try {
                for (InternetAddress address : InternetAddress.parseHeader(value, false)) {
                    if (address.getAddress() != null) {
                        addresses.add(address.getAddress().toLowerCase(Locale.ROOT));
                    }
                }
            } catch (AddressException e) {
                // an unreadable From does not stop a reply; the verb is then decided without it
            }
        }
        return addresses;
    }

    /**
     * MS-ASEMAIL LastVerbExecuted of a reply: 1 (reply to sender) when it goes only to the original's From or
     * Reply-To addresses, 2 (reply to all) when it addresses anyone else as well.
     */
    public int replyVerb(byte[] original, List<String> recipients) {
        try {
            Set<String> senders = senders(parse(original));
            return senders.containsAll(recipients) ? 1 : 2;
        } catch (MessagingException | ComposeException e) {
            return recipients.size() > 1 ? 2 : 1;
        }
    }

    // ---- reply ------------------------------------------------------------------------------------------------

    private static void addThreadHeaders(MimeMessage message, MimeMessage original) throws MessagingException {
        String originalId = original.getHeader("Message-ID", null);
        if (originalId == null) {
            return;
        }
        if (message.getHeader("In-Reply-To") == null) {
            message.setHeader("In-Reply-To", originalId.trim());
        }
        if (message.getHeader("References") == null) {
            String references = original.getHeader("References", " ");
            if (references == null) {
                references = original.getHeader("In-Reply-To", " ");
            }
            message.setHeader("References", references == null ? originalId.trim()
                    : references.trim() + " " + originalId.trim());
        }
    }

    private void quoteOriginal(OutgoingMimeMessage message, MimeMessage original)
            throws MessagingException, IOException {
        String attribution = attribution(original);
        String originalText = plainText(original);
        String quotedText = attribution + CRLF + quote(originalText);
        String quotedHtml = "<div>" + escapeHtml(attribution) + "</div><blockquote style=\"margin:0 0 0 .8ex;"
                + "border-left:1px solid #ccc;padding-left:1ex\">"
                + escapeHtml(originalText).replace("\r\n", "<br>\r\n") + "</blockquote>";
        Object content = message.getContent();
        if (content instanceof Multipart multipart) {
            boolean[] done = new boolean[2];
            appendToTextParts(multipart, quotedText, quotedHtml, done);
            if (!done[0] && !done[1]) {
                MimeBodyPart quotePart = new MimeBodyPart();
                quotePart.setText(quotedText, "UTF-8");
                multipart.addBodyPart(quotePart, 0);
            }
            message.setContent(multipart);
            message.saveChanges();
        } else if (message.isMimeType("text/html") && content instanceof String html) {
            message.setContent(appendHtml(html, quotedHtml), "text/html; charset=UTF-8");
            message.saveChanges();
        } else if (content instanceof String text) {
            message.setText(text + CRLF + CRLF + quotedText, "UTF-8");
            message.saveChanges();
        }
    }

    /** Appends the quote to the first inline text/plain and the first inline text/html part (done[0], done[1]). */
    private static void appendToTextParts(Multipart multipart, String quotedText, String quotedHtml, boolean[] done)
            throws MessagingException, IOException {
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
                continue;
            }
            if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart nested) {
                appendToTextParts(nested, quotedText, quotedHtml, done);
                if (part instanceof MimeBodyPart mimePart) {
                    mimePart.setContent(nested);
                }
            } else if (!done[0] && part.isMimeType("text/plain") && part.getContent() instanceof String text) {
                ((MimeBodyPart) part).setText(text + CRLF + CRLF + quotedText, "UTF-8");
                done[0] = true;
            } else if (!done[1] && part.isMimeType("text/html") && part.getContent() instanceof String html) {
                ((MimeBodyPart) part).setContent(appendHtml(html, quotedHtml), "text/html; charset=UTF-8");
                done[1] = true;
            }
        }
    }

    private static String appendHtml(String html, String addition) {
        int end = html.toLowerCase(Locale.ROOT).lastIndexOf("</body>");
        return end < 0 ? html + addition : html.substring(0, end) + addition + html.substring(end);
    }

    /** "On <date>, <sender> wrote:" */
    private static String attribution(MimeMessage original) throws MessagingException {
        Date sent = original.getSentDate();
        Address[] from = original.getFrom();
        String who = from == null || from.length == 0 ? "the sender"
                : from[0] instanceof InternetAddress a ? a.toUnicodeString() : from[0].toString();
        return (sent == null ? "" : "On " + QUOTE_DATE.format(sent.toInstant()) + ", ") + who + " wrote:";
    }

    /** Every line prefixed with "> " (RFC 3676 4.5 quoting), CRLF line ends. */
    static String quote(String text) {
        String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        StringBuilder out = new StringBuilder(text.length() + lines.length * 2);
        for (int i = 0; i < lines.length; i++) {
            if (i == lines.length - 1 && lines[i].isEmpty()) {
                break;
            }
            out.append(lines[i].startsWith(">") ? ">" : "> ").append(lines[i]).append(CRLF);
        }
        return out.toString();
    }

    /** The message's text: its first inline text/plain part, else its first text/html part without tags. */
    static String plainText(Part part) throws MessagingException, IOException {
        String text = findText(part, "text/plain");
        if (text != null) {
            return text;
        }
        String html = findText(part, "text/html");
        return html == null ? "" : htmlToText(html);
    }

    private static String findText(Part part, String type) throws MessagingException, IOException {
        if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
            return null;
        }
        if (part.isMimeType(type)) {
            Object content = part.getContent();
            return content instanceof String s ? s : null;
        }
        if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                String found = findText(multipart.getBodyPart(i), type);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    static String htmlToText(String html) {
        return html.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", "")
                .replaceAll("(?i)<br\\s*/?>|</p>|</div>|</li>|</tr>", "\n")
                .replaceAll("<[^>]*>", "")
                .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&")
                .replaceAll("\n{3,}", "\n\n")
                .strip();
    }

    static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    // ---- forward ----------------------------------------------------------------------------------------------

    private static void attachOriginal(OutgoingMimeMessage message, MimeMessage original, byte[] originalMime)
            throws MessagingException, IOException {
        MimeBodyPart newText = new MimeBodyPart();
        Object content = message.getContent();
        if (content instanceof Multipart multipart) {
            newText.setContent(multipart);
        } else {
            byte[] decoded = message.getInputStream().readAllBytes();
            newText.setDataHandler(new DataHandler(new ByteArrayDataSource(decoded, message.getContentType())));
            newText.setHeader("Content-Type", message.getContentType());
        }
        MimeBodyPart attached = new MimeBodyPart();
        attached.setDataHandler(new DataHandler(new ByteArrayDataSource(originalMime, "message/rfc822")));
        attached.setHeader("Content-Type", "message/rfc822");
        attached.setDisposition(Part.ATTACHMENT);
        attached.setFileName(fileName(original.getSubject()));
        // RFC 2046 5.2.1: a message/rfc822 part may only be 7bit, 8bit or binary
        attached.setHeader("Content-Transfer-Encoding", isAscii(originalMime) ? "7bit" : "8bit");
        message.setContent(new MimeMultipart("mixed", newText, attached));
        message.saveChanges();
    }

    /** A plain-ASCII file name for the attached original: its subject, else "message". */
    static String fileName(String subject) {
        String base = subject == null ? "" : subject.replaceAll("[^A-Za-z0-9 ._-]", "_").strip();
        if (base.length() > 60) {
            base = base.substring(0, 60).strip();
        }
        return (base.isEmpty() ? "message" : base) + ".eml";
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    // ---- writing ----------------------------------------------------------------------------------------------

    private static byte[] write(MimeMessage message) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    static String newMessageId(String senderAddress) {
        int at = senderAddress.lastIndexOf('@');
        String domain = at < 0 || at == senderAddress.length() - 1 ? "easgate.invalid" : senderAddress.substring(at + 1);
        return "<" + UUID.randomUUID() + "@" + domain + ">";
    }

    /**
     * A parsed message that keeps its Message-ID when saved: {@link MimeMessage#saveChanges()} would replace it,
     * and the id the phone chose (or the one set here) is what replies will refer to.
     */
    static final class OutgoingMimeMessage extends MimeMessage {
        OutgoingMimeMessage(Session session, byte[] mime) throws MessagingException {
            super(session, new ByteArrayInputStream(mime));
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            if (getHeader("Message-ID") == null) {
                String from = getFrom() != null && getFrom().length > 0 && getFrom()[0] instanceof InternetAddress a
                        ? a.getAddress() : "";
                setHeader("Message-ID", newMessageId(from == null ? "" : from));
            }
        }
    }
}
