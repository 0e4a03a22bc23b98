package dev.easgate.core.content;

import dev.easgate.backends.mail.ItemContent;
import dev.easgate.wbxml.Opaque;
import dev.easgate.wbxml.WbxmlElement;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

/**
 * The MIME of a draft a 16.0+ client writes through Sync (MS-ASCMD 2.2.3.7.2, MS-ASEMAIL 2.2.2.42 IsDraft): To, Cc,
 * Email2:Bcc, Subject, Importance and AirSyncBase:Body as sent, and the attachments of AirSyncBase:Attachments
 * (MS-ASAIRS 2.2.2.8: Add with ClientId, DisplayName, Content, Method, ContentType, ContentId, IsInline; Delete with
 * the FileReference of an attachment the draft has). A Change starts from the stored draft: every field sent
 * replaces the stored one, fields left out are kept, attachments not deleted stay. The message is marked with
 * {@link ParsedEmail#DRAFT_HEADER} so that it renders with IsDraft 1. Pure CPU work, no I/O.
 */
public final class DraftMime {
    private static final Session SESSION = session();

    private DraftMime() {
    }

    private static Session session() {
        Properties properties = new Properties();
        properties.setProperty("mail.mime.address.strict", "false");
        return Session.getInstance(properties);
    }

    /** An attachment added by the client. */
    public record NewAttachment(String clientId, String displayName, String contentType, byte[] content,
                                String contentId, boolean inline) {
    }

    /**
     * What one Add or Change says of a draft, copied off the request (the request buffer may be released before
     * the message is built). {@code null} fields were not sent.
     */
    public record Edit(String to, String cc, String bcc, String subject, Integer importance, Integer bodyType,
                       String body, List<NewAttachment> added, List<String> deleted) {

        /** Reads the ApplicationData; a malformed attachment or number is IllegalArgumentException. */
        public static Edit read(WbxmlElement data) {
            Integer importance = number(data.childText("Email:Importance"));
            if (importance != null && (importance < 0 || importance > 2)) {
                throw new IllegalArgumentException("importance " + importance);
            }
            WbxmlElement body = data.child("AirSyncBase:Body");
            Integer bodyType = body == null ? null : number(body.childText("AirSyncBase:Type"));
            String bodyText = body == null ? null : body.childText("AirSyncBase:Data");
            List<NewAttachment> added = new ArrayList<>();
            List<String> deleted = new ArrayList<>();
            WbxmlElement attachments = data.child("AirSyncBase:Attachments");
            if (attachments != null) {
                for (WbxmlElement change : attachments.children()) {
                    if (change.matches("AirSyncBase:Add")) {
                        added.add(attachment(change));
                    } else if (change.matches("AirSyncBase:Delete")) {
                        String reference = change.childText("AirSyncBase:FileReference");
                        if (reference == null || reference.isBlank()) {
                            throw new IllegalArgumentException("attachment Delete without FileReference");
                        }
                        deleted.add(reference.strip());
                    }
                }
            }
            return new Edit(data.childText("Email:To"), data.childText("Email:Cc"), data.childText("Email2:Bcc"),
                    data.childText("Email:Subject"), importance, body == null ? null : bodyType == null ? 1 : bodyType,
                    body == null ? null : bodyText == null ? "" : bodyText, List.copyOf(added),
                    List.copyOf(deleted));
        }

        private static NewAttachment attachment(WbxmlElement add) {
            String clientId = add.childText("AirSyncBase:ClientId");
            String name = add.childText("AirSyncBase:DisplayName");
            WbxmlElement content = add.child("AirSyncBase:Content");
            if (clientId == null || name == null || content == null) {
                throw new IllegalArgumentException("attachment Add without ClientId, DisplayName or Content");
            }
            Integer method = number(add.childText("AirSyncBase:Method"));
            if (method != null && method != 1 && method != 6) {
                // MS-ASAIRS 2.2.2.31: 1 normal attachment, 6 OLE; embedded messages (5) cannot be added this way
                throw new IllegalArgumentException("attachment method " + method);
            }
            String type = add.childText("AirSyncBase:ContentType");
            String inline = add.childText("AirSyncBase:IsInline");
            return new NewAttachment(clientId.strip(), name.strip(),
                    type == null || type.isBlank() ? "application/octet-stream" : type.strip(), bytes(content),
                    add.childText("AirSyncBase:ContentId"), inline != null && inline.strip().equals("1"));
        }

        /** Content is opaque bytes; a client that sends it as text sends base64. */
        private static byte[] bytes(WbxmlElement content) {
            Opaque opaque = content.opaque();
            if (opaque != null) {
                return opaque.toByteArray();
            }
            String text = content.text();
            if (text == null) {
                return new byte[0];
            }
            try {
                return Base64.getMimeDecoder().decode(text.strip());
            } catch (IllegalArgumentException e) {
                return text.getBytes(StandardCharsets.UTF_8);
            }
        }

        private static Integer number(String text) {
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                return Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number: " + text);
            }
        }
    }

    /** One attachment kept from the stored draft. */
    private record Kept(String displayName, String contentType, byte[] content, String contentId, boolean inline) {
    }

    /**
     * The draft after {@code edit}.
     *
     * @param current  the stored draft for a Change, or {@code null} for an Add
     * @param folderId the draft's folder (a deleted FileReference must name an attachment of this draft)
     * @param itemId   the draft's id, or {@code null} for an Add
     * @throws IllegalArgumentException when an address list cannot be read or a deleted FileReference names no
     *                                  attachment of the draft
     */
    public static byte[] build(Edit edit, ItemContent.Email current, String folderId, String itemId, Instant now) {
        try {
            ParsedEmail stored = current == null ? null : ParsedEmail.parse(current.mime());
            MimeMessage old = current == null ? null : ParsedEmail.mimeMessage(current.mime());
            DraftMessage message = new DraftMessage(old == null ? null : old.getHeader("Message-ID", null));
            message.setHeader(ParsedEmail.DRAFT_HEADER, "1");
            if (old != null && old.getHeader("From", null) != null) {
                message.setHeader("From", old.getHeader("From", null));
            }
            recipients(message, Message.RecipientType.TO, pick(edit.to(), stored == null ? null : stored.to()));
            recipients(message, Message.RecipientType.CC, pick(edit.cc(), stored == null ? null : stored.cc()));
            recipients(message, Message.RecipientType.BCC, pick(edit.bcc(), stored == null ? null : stored.bcc()));
            message.setSubject(pick(edit.subject(), stored == null ? "" : stored.subject()), "UTF-8");
            int importance = edit.importance() != null ? edit.importance() : stored == null ? 1 : stored.importance();
            if (importance != 1) {
                message.setHeader("Importance", importance == 2 ? "high" : "low");
            }
            message.setSentDate(Date.from(now));

            MimeBodyPart body = new MimeBodyPart();
            if (edit.bodyType() != null) {
                body.setText(edit.body(), "UTF-8", edit.bodyType() == BodyPreference.HTML ? "html" : "plain");
            } else if (stored != null && stored.htmlBody() != null) {
                body.setText(stored.htmlBody(), "UTF-8", "html");
            } else {
                body.setText(stored == null || stored.plainBody() == null ? "" : stored.plainBody(), "UTF-8",
                        "plain");
            }

            List<Kept> kept = kept(edit, current, stored, folderId, itemId);
            if (kept.isEmpty() && edit.added().isEmpty()) {
                message.setContent(body.getContent(), body.getContentType());
            } else {
                MimeMultipart mixed = new MimeMultipart("mixed");
                mixed.addBodyPart(body);
                for (Kept k : kept) {
                    mixed.addBodyPart(part(k.displayName(), k.contentType(), k.content(), k.contentId(), k.inline()));
                }
                for (NewAttachment a : edit.added()) {
                    mixed.addBodyPart(part(a.displayName(), a.contentType(), a.content(), a.contentId(), a.inline()));
                }
                message.setContent(mixed);
            }
            message.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return out.toByteArray();
        } catch (MessagingException | IOException e) {
            throw new IllegalArgumentException("draft not writable: " + e.getMessage(), e);
        }
    }

    /**
     * The FileReference part indexes of the last {@code count} attachments of {@code mime}: where the attachments a
     * Sync Add or Change added ended up ({@link #build} writes them after the kept ones).
     */
    public static List<Integer> lastAttachmentParts(byte[] mime, int count) {
        List<ParsedEmail.Attachment> all = ParsedEmail.parse(mime).attachments();
        List<Integer> out = new ArrayList<>();
        for (int i = Math.max(0, all.size() - count); i < all.size(); i++) {
            out.add(all.get(i).partIndex());
        }
        return out;
    }

    private static List<Kept> kept(Edit edit, ItemContent.Email current, ParsedEmail stored, String folderId,
                                   String itemId) throws MessagingException, IOException {
        Set<Integer> deleted = new HashSet<>();
        for (String text : edit.deleted()) {
            AttachmentReference reference = AttachmentReference.parse(text);
            boolean ours = reference != null && stored != null && reference.folderId().equals(folderId)
                    && reference.itemId().equals(itemId)
                    && stored.attachments().stream().anyMatch(a -> a.partIndex() == reference.partIndex());
            if (!ours) {
                throw new IllegalArgumentException("FileReference " + text + " names no attachment of the draft");
            }
            deleted.add(reference.partIndex());
        }
        List<Kept> kept = new ArrayList<>();
        if (stored == null) {
            return kept;
        }
        for (ParsedEmail.Attachment a : stored.attachments()) {
            if (!deleted.contains(a.partIndex())) {
                byte[] bytes = ParsedEmail.partBytes(current.mime(), a.partIndex());
                kept.add(new Kept(a.displayName(), a.contentType(), bytes == null ? new byte[0] : bytes,
                        a.contentId(), a.inline()));
            }
        }
        return kept;
    }

    private static MimeBodyPart part(String name, String type, byte[] content, String contentId, boolean inline)
            throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(content, type)));
        try {
            part.setFileName(name);
        } catch (MessagingException e) {
            part.setFileName("attachment");
        }
        part.setDisposition(inline ? Part.INLINE : Part.ATTACHMENT);
        if (contentId != null && !contentId.isBlank()) {
            String id = contentId.strip();
            part.setContentID(id.startsWith("<") ? id : "<" + id + ">");
        }
        return part;
    }

    private static void recipients(MimeMessage message, Message.RecipientType type, String list)
            throws MessagingException {
        if (list == null || list.isBlank()) {
            return;
        }
        try {
            message.setRecipients(type, InternetAddress.parse(list, false));
        } catch (AddressException e) {
            throw new IllegalArgumentException("unreadable " + type + " list", e);
        }
    }

    private static String pick(String sent, String stored) {
        return sent != null ? sent : stored == null ? "" : stored;
    }

    /** A message that keeps the draft's Message-ID across changes (saveChanges would make a new one). */
    private static final class DraftMessage extends MimeMessage {
        private final String messageId;

        DraftMessage(String messageId) {
            super(SESSION);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId != null ? messageId : "<" + UUID.randomUUID() + "@easgate.invalid>");
        }
    }
}
