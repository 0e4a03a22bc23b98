package dev.easgate.core.content;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Renders an email item as MS-ASEMAIL ApplicationData for a protocol version and body options. */
public final class EmailRenderer {
    /** MS-ASDTYPE 2.3: dateTime as yyyy-MM-ddTHH:mm:ss.SSSZ. */
    public static final DateTimeFormatter EAS_DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** Windows FILETIME epoch (1601-01-01) to Unix epoch, in 100 ns ticks. */
    private static final long FILETIME_UNIX_OFFSET = 116_444_736_000_000_000L;

    private EmailRenderer() {
    }

    public static WbxmlElement render(Item item, ContentOptions options) {
        ItemContent.Email email = (ItemContent.Email) item.content();
        ParsedEmail parsed = ParsedEmail.parse(email.mime());
        return render(item, email, parsed, options);
    }

    static WbxmlElement render(Item item, ItemContent.Email email, ParsedEmail parsed, ContentOptions options) {
        ProtocolVersion version = options.version();
        EmailFlags flags = email.flags();
        WbxmlElement.Builder data = WbxmlElement.el(CodePage.AIR_SYNC, "ApplicationData");
        data.child("Email:To", parsed.to());
        if (!parsed.cc().isEmpty()) {
            data.child("Email:Cc", parsed.cc());
        }
        data.child("Email:From", parsed.from());
        data.child("Email:Subject", parsed.subject());
        if (!parsed.replyTo().isEmpty()) {
            data.child("Email:ReplyTo", parsed.replyTo());
        }
        data.child("Email:DateReceived", EAS_DATE.format(item.date()));
        data.child("Email:DisplayTo", parsed.displayTo());
        data.child("Email:ThreadTopic", parsed.threadTopic());
        data.child("Email:Importance", parsed.importance());
        data.child("Email:Read", flags.read() ? "1" : "0");
        MeetingRequestRenderer.render(parsed, version).ifPresent(data::child);
        if (!version.atLeast(ProtocolVersion.V12_0)) {
            legacyAttachmentsAndBody(data, item, email, parsed, options);
        } else {
            attachments(data, item, parsed);
            data.child(body(email, parsed, options));
        }
        data.child("Email:MessageClass", messageClass(parsed));
        if (version.atLeast(ProtocolVersion.V12_0)) {
            data.child("Email:InternetCPID", "65001"); // the body is sent as UTF-8 (MS-ASEMAIL 2.2.2.41)
            data.child(flag(flags));
            data.child("Email:ContentClass", "urn:content-classes:message");
            data.child("AirSyncBase:NativeBodyType", parsed.htmlBody() != null ? 2 : 1);
        }
        if (version.atLeast(ProtocolVersion.V14_0)) {
            data.opaque("Email2:ConversationId", conversationId(parsed));
            data.opaque("Email2:ConversationIndex", conversationIndex(item.date()));
            if (flags.lastVerb() != 0) {
                data.child("Email2:LastVerbExecuted", flags.lastVerb());
                if (flags.lastVerbTime() != null) {
                    data.child("Email2:LastVerbExecutionTime", EAS_DATE.format(flags.lastVerbTime()));
                }
            }
            data.child("Email:Categories", c -> flags.categories().forEach(name -> c.child("Category", name)));
        }
        if (version.atLeast(ProtocolVersion.V16_0)) {
            // MS-ASEMAIL 2.2.2.42 IsDraft, 2.2.2.10 Bcc (a draft's blind copies; 16.0+)
            data.child("Email2:IsDraft", parsed.draft() ? "1" : "0");
            if (parsed.draft() && !parsed.bcc().isEmpty()) {
                data.child("Email2:Bcc", parsed.bcc());
            }
        }
        return data.build();
    }

    /** MS-ASEMAIL 2.2.2.49 MessageClass: meeting requests and S/MIME get their own classes. */
    static String messageClass(ParsedEmail parsed) {
        if ("REQUEST".equals(parsed.calendarMethod())) {
            return "IPM.Schedule.Meeting.Request";
        }
        if ("CANCEL".equals(parsed.calendarMethod())) {
            return "IPM.Schedule.Meeting.Canceled";
        }
        return parsed.smime() ? "IPM.Note.SMIME.MultipartSigned" : "IPM.Note";
    }

    /** MS-ASEMAIL 2.2.2.34 Flag: empty when cleared, else Status (1 complete, 2 active) and FlagType. */
    static WbxmlElement flag(EmailFlags flags) {
        WbxmlElement.Builder flag = WbxmlElement.el(CodePage.EMAIL, "Flag");
        if (flags.flagStatus() != 0) {
            flag.child("Status", flags.flagStatus());
            flag.child("FlagType", "Flag for follow up");
        }
        return flag.build();
    }

    private static void attachments(WbxmlElement.Builder data, Item item, ParsedEmail parsed) {
        if (parsed.attachments().isEmpty()) {
            return;
        }
        data.child("AirSyncBase:Attachments", list -> {
            for (ParsedEmail.Attachment attachment : parsed.attachments()) {
                list.child("Attachment", a -> {
                    a.child("DisplayName", attachment.displayName());
                    a.child("FileReference",
                            new AttachmentReference(item.folderId(), item.id(), attachment.partIndex()).format());
                    a.child("Method", 1); // MS-ASAIRS 2.2.2.31: 1 normal attachment
                    a.child("EstimatedDataSize", attachment.size());
                    if (attachment.contentId() != null) {
                        a.child("ContentId", attachment.contentId());
                    }
                    if (attachment.inline()) {
                        a.child("IsInline", "1");
                    }
                });
            }
        });
    }

    /**
     * MS-ASAIRS 2.2.2.9: the body in the type the client asked for. MIME (type 4) only where MIMESupport allows it
     * (MS-ASCMD 2.2.3.100.3: 1 for S/MIME messages, 2 for all); else the native type when asked for, else HTML or
     * plain text converted from the other.
     */
    static WbxmlElement body(ItemContent.Email email, ParsedEmail parsed, ContentOptions options) {
        String plain = parsed.plainBody() != null ? parsed.plainBody()
                : parsed.htmlBody() != null ? BodyRenderer.htmlToText(parsed.htmlBody()) : "";
        BodyPreference mime = options.preference(BodyPreference.MIME);
        boolean mimeAllowed = options.mimeSupport() == 2 || (options.mimeSupport() == 1 && parsed.smime());
        if (mime != null && mimeAllowed) {
            return BodyRenderer.body(BodyPreference.MIME, new String(email.mime(), StandardCharsets.UTF_8), mime,
                    plain, options.version());
        }
        int nativeType = parsed.htmlBody() != null ? BodyPreference.HTML : BodyPreference.PLAIN;
        BodyPreference html = options.preference(BodyPreference.HTML);
        BodyPreference text = options.preference(BodyPreference.PLAIN);
        if (html != null && (nativeType == BodyPreference.HTML || text == null)) {
            String data = parsed.htmlBody() != null ? parsed.htmlBody() : BodyRenderer.textToHtml(plain);
            return BodyRenderer.body(BodyPreference.HTML, data, html, plain, options.version());
        }
        BodyPreference chosen = text != null ? text
                : options.bodyPreferences().isEmpty() ? BodyPreference.DEFAULT
                : new BodyPreference(BodyPreference.PLAIN, options.bodyPreferences().get(0).truncationSize(),
                        options.bodyPreferences().get(0).allOrNone(), options.bodyPreferences().get(0).preview());
        return BodyRenderer.body(BodyPreference.PLAIN, plain, chosen, plain, options.version());
    }

    /**
     * Protocol 2.5 (MS-ASEMAIL 2.2.2.8, 2.2.2.10-12, 2.2.2.45-47): Email:Attachments with AttName references,
     * Email:Body plain text cut at the Truncation limit, and MIMEData when MIMESupport asks for it.
     */
    private static void legacyAttachmentsAndBody(WbxmlElement.Builder data, Item item, ItemContent.Email email,
                                                 ParsedEmail parsed, ContentOptions options) {
        if (!parsed.attachments().isEmpty()) {
            data.child("Email:Attachments", list -> {
                for (ParsedEmail.Attachment attachment : parsed.attachments()) {
                    list.child("Attachment", a -> a
                            .child("AttMethod", 1)
                            .child("AttSize", attachment.size())
                            .child("DisplayName", attachment.displayName())
                            .child("AttName", new AttachmentReference(item.folderId(), item.id(),
                                    attachment.partIndex()).format()));
                }
            });
        }
        boolean mimeAllowed = options.mimeSupport() == 2 || (options.mimeSupport() == 1 && parsed.smime());
        if (mimeAllowed) {
            byte[] mime = email.mime();
            long limit = ContentOptions.truncationBytes(options.mimeTruncation());
            boolean cut = limit >= 0 && mime.length > limit;
            data.child("Email:MIMETruncated", cut ? "1" : "0");
            data.child("Email:MIMESize", mime.length);
            data.child("Email:MIMEData", cut ? Utf8.truncate(mime, limit) : new String(mime, StandardCharsets.UTF_8));
            return;
        }
        String plain = parsed.plainBody() != null ? parsed.plainBody()
                : parsed.htmlBody() != null ? BodyRenderer.htmlToText(parsed.htmlBody()) : "";
        byte[] bytes = Utf8.bytes(plain);
        long limit = ContentOptions.truncationBytes(options.truncation());
        boolean cut = limit >= 0 && bytes.length > limit;
        data.child("Email:BodyTruncated", cut ? "1" : "0");
        if (cut) {
            // MS-ASEMAIL 2.2.2.12: BodySize is present only when BodyTruncated is 1 (the size before truncation)
            data.child("Email:BodySize", bytes.length);
        }
        data.child("Email:Body", cut ? Utf8.truncate(bytes, limit) : plain);
    }

    /** Email2 ConversationId (MS-ASEMAIL 2.2.2.20): 16 bytes, the MD5 of the thread's root Message-ID or topic. */
    static byte[] conversationId(ParsedEmail parsed) {
        String root = parsed.threadRoot() != null ? parsed.threadRoot() : parsed.threadTopic();
        try {
            return MessageDigest.getInstance("MD5").digest(root.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Email2 ConversationIndex (MS-ASEMAIL 2.2.2.21): a 5-byte timestamp of the message in the conversation; here the
     * five high-order bytes of the received date as a FILETIME.
     */
    static byte[] conversationIndex(Instant date) {
        long fileTime = date.getEpochSecond() * 10_000_000L + date.getNano() / 100 + FILETIME_UNIX_OFFSET;
        byte[] index = new byte[5];
        for (int i = 0; i < 5; i++) {
            index[i] = (byte) (fileTime >>> (56 - 8 * i));
        }
        return index;
    }
}
