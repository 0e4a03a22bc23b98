package dev.easgate.core.content;

import dev.easgate.backends.mail.MailStreams;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * What the renderer needs of an RFC 5322 message, parsed once with Angus Mail: decoded headers, the plain and
 * HTML bodies, the attachments, and whether it is a meeting request or S/MIME.
 *
 * <p>Leaf parts are numbered depth first from 0; an attachment's number is its {@link AttachmentReference}
 * partIndex. The first text/plain and the first text/html leaf that are not attachments are the bodies (from a
 * multipart/alternative or a lone part); every other leaf with a file name, an attachment disposition, or a
 * non-text type is an attachment (an inline image of a multipart/related with IsInline).
 */
public record ParsedEmail(String from, String to, String cc, String replyTo, String subject, String displayTo,
                          String threadTopic, int importance, String messageId, String threadRoot,
                          String plainBody, String htmlBody, String calendarMethod, String calendarText,
                          boolean smime,
                          List<Attachment> attachments, String bcc, boolean draft) {

    /** The header that marks a draft the gateway wrote from a 16.0 client's Sync Add or Change ({@link DraftMime}). */
    public static final String DRAFT_HEADER = "X-EasGate-Draft";

    /**
     * One attachment.
     *
     * @param partIndex   leaf number in the MIME tree
     * @param displayName the file name, or a made-up one
     * @param contentType the MIME type, lower case, without parameters
     * @param size        decoded size in bytes
     * @param contentId   Content-ID without angle brackets, or {@code null}
     * @param inline      shown inside the HTML body (Content-Disposition inline with a Content-ID)
     */
    public record Attachment(int partIndex, String displayName, String contentType, long size, String contentId,
                             boolean inline) {
    }

    static {
        MailStreams.useAngus(); // before the first message is parsed: no class path scan per message
    }

    private static final Session SESSION = Session.getInstance(utf8Headers());

    /** RFC 6532: header text may be raw UTF-8 (8-bit headers are read as UTF-8, not ISO-8859-1). */
    private static Properties utf8Headers() {
        Properties properties = new Properties();
        properties.setProperty("mail.mime.allowutf8", "true");
        return properties;
    }

    /** The message as Angus Mail reads it (headers parsed, content on demand). */
    public static MimeMessage mimeMessage(byte[] mime) throws MessagingException {
        return new MimeMessage(SESSION, new ByteArrayInputStream(mime));
    }

    /** Parses {@code mime}; a malformed message yields what could be read, never an exception. */
    public static ParsedEmail parse(byte[] mime) {
        try {
            MimeMessage message = mimeMessage(mime);
            Walk walk = new Walk();
            walk.visit(message, false);
            String subject = nullToEmpty(message.getSubject());
            return new ParsedEmail(
                    addresses(message.getFrom()),
                    addresses(message.getRecipients(MimeMessage.RecipientType.TO)),
                    addresses(message.getRecipients(MimeMessage.RecipientType.CC)),
                    addresses(replyTo(message)),
                    subject,
                    displayNames(message.getRecipients(MimeMessage.RecipientType.TO)),
                    threadTopic(message, subject),
                    importance(message),
                    header(message, "Message-ID"),
                    threadRoot(message),
                    walk.plain, walk.html, walk.calendarMethod, walk.calendarText, isSmime(message),
                    List.copyOf(walk.attachments),
                    addresses(message.getRecipients(MimeMessage.RecipientType.BCC)),
                    message.getHeader(DRAFT_HEADER) != null);
        } catch (MessagingException | IOException | RuntimeException e) {
            // an unreadable message still syncs: empty fields, the raw text as body
            return new ParsedEmail("", "", "", "", "", "", "", 1, null, null,
                    new String(mime, StandardCharsets.UTF_8), null, null, null, false, List.of(), "", false);
        }
    }

    /** The decoded bytes of leaf {@code partIndex}, or {@code null} when there is no such leaf. */
    public static byte[] partBytes(byte[] mime, int partIndex) throws MessagingException, IOException {
        Part part = leaf(mimeMessage(mime), partIndex, new int[] {0});
        if (part == null) {
            return null;
        }
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        }
    }

    private static Part leaf(Part part, int wanted, int[] counter) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                Part found = leaf(multipart.getBodyPart(i), wanted, counter);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        return counter[0]++ == wanted ? part : null;
    }

    /** Depth-first walk over the leaves, numbering them. */
    private static final class Walk {
        int leaves;
        String plain;
        String html;
        String calendarMethod;
        String calendarText;
        final List<Attachment> attachments = new ArrayList<>();

        void visit(Part part, boolean inRelated) throws MessagingException, IOException {
            if (part.isMimeType("multipart/*")) {
                Object content = part.getContent();
                if (content instanceof Multipart multipart) {
                    boolean related = part.isMimeType("multipart/related");
                    for (int i = 0; i < multipart.getCount(); i++) {
                        BodyPart child = multipart.getBodyPart(i);
                        visit(child, related || inRelated);
                    }
                    return;
                }
            }
            int index = leaves++;
            String type = baseType(part);
            String disposition = part.getDisposition();
            String fileName = fileName(part);
            boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(disposition) || fileName != null;
            if (!attachment && type.equals("text/plain") && plain == null) {
                plain = text(part);
                return;
            }
            if (!attachment && type.equals("text/html") && html == null) {
                html = text(part);
                return;
            }
            if ((type.equals("text/calendar") || type.equals("application/ics")) && calendarText == null) {
                // the first calendar part: a multipart/alternative's text/calendar, or an invite.ics attachment
                calendarMethod = calendarMethod(part);
                calendarText = text(part);
                if (!attachment && type.equals("text/calendar")) {
                    return;
                }
            }
            if (!attachment && type.startsWith("text/")) {
                return; // a second text alternative: not an attachment
            }
            String contentId = contentId(part);
            boolean inline = contentId != null && (inRelated || Part.INLINE.equalsIgnoreCase(disposition));
            attachments.add(new Attachment(index, fileName != null ? fileName : "attachment-" + index, type,
                    decodedSize(part), contentId, inline));
        }
    }

    private static String baseType(Part part) throws MessagingException {
        String header = part.getContentType();
        if (header == null) {
            return "text/plain";
        }
        try {
            return new ContentType(header).getBaseType().toLowerCase(Locale.ROOT);
        } catch (MessagingException e) {
            return "application/octet-stream";
        }
    }

    private static String fileName(Part part) {
        try {
            String name = part.getFileName();
            if (name == null) {
                ContentType type = new ContentType(part.getContentType());
                name = type.getParameter("name");
            }
            return name == null || name.isBlank() ? null : MimeUtility.decodeText(name);
        } catch (MessagingException | IOException | RuntimeException e) {
            return null;
        }
    }

    private static String contentId(Part part) throws MessagingException {
        String[] ids = part.getHeader("Content-ID");
        if (ids == null || ids.length == 0) {
            return null;
        }
        String id = ids[0].strip();
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1);
        }
        return id.isEmpty() ? null : id;
    }

    private static long decodedSize(Part part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** The text of a text part in its declared charset (UTF-8 when unknown). */
    private static String text(Part part) throws MessagingException, IOException {
        byte[] bytes;
        try (InputStream in = part.getInputStream()) {
            bytes = in.readAllBytes();
        }
        Charset charset = StandardCharsets.UTF_8;
        try {
            String name = new ContentType(part.getContentType()).getParameter("charset");
            if (name != null) {
                charset = Charset.forName(MimeUtility.javaCharset(name.strip()));
            }
        } catch (RuntimeException | MessagingException e) {
            // unknown charset: read as UTF-8
        }
        return new String(bytes, charset);
    }

    private static String calendarMethod(Part part) {
        try {
            String method = new ContentType(part.getContentType()).getParameter("method");
            if (method == null) {
                for (String line : text(part).split("\r?\n")) {
                    if (line.regionMatches(true, 0, "METHOD:", 0, 7)) {
                        method = line.substring(7);
                        break;
                    }
                }
            }
            return method == null ? null : method.strip().toUpperCase(Locale.ROOT);
        } catch (MessagingException | IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isSmime(MimeMessage message) throws MessagingException {
        return message.isMimeType("multipart/signed") || message.isMimeType("application/pkcs7-mime")
                || message.isMimeType("application/x-pkcs7-mime");
    }

    private static Address[] replyTo(MimeMessage message) throws MessagingException {
        return message.getHeader("Reply-To") == null ? null : message.getReplyTo();
    }

    /** Addresses as {@code "Name" <addr>, ...} (MS-ASEMAIL To, Cc, From, ReplyTo). */
    private static String addresses(Address[] addresses) {
        if (addresses == null) {
            return "";
        }
        List<String> out = new ArrayList<>();
        for (Address address : addresses) {
            if (address instanceof InternetAddress internet) {
                String personal = internet.getPersonal();
                out.add(personal == null || personal.isBlank()
                        ? internet.getAddress()
                        : "\"" + personal.replace("\"", "") + "\" <" + internet.getAddress() + ">");
            } else {
                out.add(address.toString());
            }
        }
        return String.join(", ", out);
    }

    /** MS-ASEMAIL DisplayTo: the display names of the To recipients, separated by semicolons. */
    private static String displayNames(Address[] addresses) {
        if (addresses == null) {
            return "";
        }
        List<String> out = new ArrayList<>();
        for (Address address : addresses) {
            if (address instanceof InternetAddress internet) {
                String personal = internet.getPersonal();
                out.add(personal == null || personal.isBlank() ? internet.getAddress() : personal);
            }
        }
        return String.join("; ", out);
    }

    private static String threadTopic(MimeMessage message, String subject) throws MessagingException {
        String topic = header(message, "Thread-Topic");
        if (topic != null) {
            try {
                return MimeUtility.decodeText(topic);
            } catch (IOException e) {
                return topic;
            }
        }
        String s = subject.strip();
        // strip reply and forward prefixes: the topic is the subject the conversation started with
        while (true) {
            String lower = s.toLowerCase(Locale.ROOT);
            int colon = lower.indexOf(':');
            if (colon > 0 && colon <= 4 && lower.substring(0, colon).matches("re|fw|fwd|aw|wg|sv|tr")) {
                s = s.substring(colon + 1).strip();
            } else {
                return s;
            }
        }
    }

    /** MS-ASEMAIL Importance: 0 low, 1 normal, 2 high; from Importance or X-Priority. */
    private static int importance(MimeMessage message) throws MessagingException {
        String importance = header(message, "Importance");
        if (importance != null) {
            String value = importance.strip().toLowerCase(Locale.ROOT);
            return value.startsWith("high") ? 2 : value.startsWith("low") ? 0 : 1;
        }
        String priority = header(message, "X-Priority");
        if (priority != null && !priority.isBlank()) {
            char first = priority.strip().charAt(0);
            return first == '1' || first == '2' ? 2 : first == '4' || first == '5' ? 0 : 1;
        }
        return 1;
    }

    /** The Message-ID the conversation started with: the first of References, else In-Reply-To, else its own. */
    private static String threadRoot(MimeMessage message) throws MessagingException {
        String references = header(message, "References");
        if (references != null && !references.isBlank()) {
            return references.strip().split("\\s+")[0];
        }
        String inReplyTo = header(message, "In-Reply-To");
        return inReplyTo != null && !inReplyTo.isBlank() ? inReplyTo.strip() : header(message, "Message-ID");
    }

    private static String header(MimeMessage message, String name) throws MessagingException {
        String value = message.getHeader(name, ",");
        return value == null ? null : value.strip();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
