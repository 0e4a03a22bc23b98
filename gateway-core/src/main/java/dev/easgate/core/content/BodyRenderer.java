package dev.easgate.core.content;

import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.regex.Pattern;

/**
 * Writes an AirSyncBase:Body (MS-ASAIRS 2.2.2.9) of a chosen type under a BodyPreference: sizes in UTF-8 bytes of
 * the data in that type, truncation at a character boundary, AllOrNone, and the plain-text Preview of 14.0+ (not
 * beside plain-text Data).
 */
public final class BodyRenderer {
    private static final Pattern TAGS = Pattern.compile("(?is)<(script|style)[^>]*>.*?</\\1>|<[^>]+>");
    private static final Pattern BREAKS = Pattern.compile("(?i)<(br|/p|/div|/tr|/h[1-6]|/li)\\b[^>]*>");
    private static final Pattern BLANK_LINES = Pattern.compile("\n{3,}");

    private BodyRenderer() {
    }

    /**
     * The Body element.
     *
     * @param type        the body type written (1, 2 or 4)
     * @param data        the full body in that type
     * @param preference  the client's preference for that type
     * @param previewText plain text to take a Preview from
     * @param version     the request's protocol version
     */
    public static WbxmlElement body(int type, String data, BodyPreference preference, String previewText,
                                    ProtocolVersion version) {
        byte[] bytes = Utf8.bytes(data);
        WbxmlElement.Builder body = WbxmlElement.el(CodePage.AIR_SYNC_BASE, "Body")
                .child("Type", type)
                .child("EstimatedDataSize", bytes.length);
        boolean truncated = preference.truncates(bytes.length);
        if (truncated) {
            body.child("Truncated", "1");
        }
        String sent = null;
        if (!truncated) {
            sent = data;
        } else if (!preference.allOrNone()) {
            // MS-ASAIRS 2.2.2.40.1: TruncationSize counts bytes; never split a UTF-8 sequence
            sent = Utf8.truncate(bytes, preference.truncationSize());
        } // MS-ASAIRS 2.2.2.3.1 AllOrNone: a body that would be truncated is sent without data
        if (sent != null) {
            body.child("Data", sent);
        }
        // MS-ASAIRS 2.2.2.35.1: no Preview beside plain-text (Type 1) Data; a Type 1 body without data (AllOrNone,
        // or TruncationSize 0) or a body of another type gets one
        boolean plainData = type == BodyPreference.PLAIN && sent != null && !sent.isEmpty();
        if (preference.preview() > 0 && version.atLeast(ProtocolVersion.V14_0) && !plainData) {
            body.child("Preview", Utf8.firstChars(collapse(previewText), preference.preview()));
        }
        return body.build();
    }

    /** Plain text of an HTML body: tags removed, block ends as line breaks, common entities decoded. */
    public static String htmlToText(String html) {
        String text = BREAKS.matcher(html).replaceAll("\n");
        text = TAGS.matcher(text).replaceAll("");
        text = text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
        text = text.replace("\r\n", "\n");
        return BLANK_LINES.matcher(text).replaceAll("\n\n").strip();
    }

    /** An HTML body for a plain-text message. */
    public static String textToHtml(String text) {
        String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return "<html><body><div>" + escaped.replace("\r\n", "\n").replace("\n", "<br>\n") + "</div></body></html>";
    }

    private static String collapse(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }
}
