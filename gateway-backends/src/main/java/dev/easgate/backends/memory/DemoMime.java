package dev.easgate.backends.memory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Writes small RFC 5322 / MIME (RFC 2045-2047) messages for the demo mailbox: CRLF line ends, non-ASCII header text
 * as RFC 2047 encoded-words, non-ASCII bodies and attachments in base64, so that every message is plain 7-bit
 * ASCII.
 */
final class DemoMime {
    private static final String CRLF = "\r\n";
    /** RFC 5322 3.3 date-time, with a numeric zone. */
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    /**
     * Bytes of text per encoded-word: 36 bytes make 48 base64 characters, 60 with "=?UTF-8?B?" and "?=", so that a
     * header line holding one stays within the 76 characters RFC 2047 2 allows.
     */
    private static final int MAX_ENCODED_BYTES = 36;

    private DemoMime() {
    }

    /** One body part or a whole body: its header lines (without the blank line) and its content. */
    record Part(List<String> headers, String content) {
    }

    static Part text(String text) {
        return textPart("text/plain", text);
    }

    static Part html(String html) {
        return textPart("text/html", html);
    }

    private static Part textPart(String type, String text) {
        String crlf = text.replace("\r\n", "\n").replace("\n", CRLF);
        if (isAscii(crlf)) {
            return new Part(List.of("Content-Type: " + type + "; charset=UTF-8", "Content-Transfer-Encoding: 7bit"),
                    crlf);
        }
        return new Part(List.of("Content-Type: " + type + "; charset=UTF-8", "Content-Transfer-Encoding: base64"),
                base64(crlf.getBytes(StandardCharsets.UTF_8)));
    }

    static Part attachment(String contentType, String fileName, byte[] data) {
        return new Part(List.of(
                "Content-Type: " + contentType + "; name=\"" + fileName + "\"",
                "Content-Disposition: attachment; filename=\"" + fileName + "\"",
                "Content-Transfer-Encoding: base64"),
                base64(data));
    }

    /** A multipart body (RFC 2046 5.1) of the given subtype, e.g. {@code alternative} or {@code mixed}. */
    static Part multipart(String subtype, String boundary, Part... parts) {
        StringBuilder body = new StringBuilder();
        for (Part part : parts) {
            body.append("--").append(boundary).append(CRLF);
            for (String header : part.headers()) {
                body.append(header).append(CRLF);
            }
            body.append(CRLF).append(part.content()).append(CRLF);
        }
        body.append("--").append(boundary).append("--").append(CRLF);
        return new Part(List.of("Content-Type: multipart/" + subtype + "; boundary=\"" + boundary + "\""),
                body.toString());
    }

    /** A whole message: the given header lines, MIME-Version, the body's own headers, a blank line, the body. */
    static byte[] message(List<String> headers, Part body) {
        StringBuilder message = new StringBuilder(512 + body.content().length());
        for (String header : headers) {
            message.append(header).append(CRLF);
        }
        message.append("MIME-Version: 1.0").append(CRLF);
        for (String header : body.headers()) {
            message.append(header).append(CRLF);
        }
        message.append(CRLF).append(body.content());
        if (!body.content().endsWith(CRLF)) {
            message.append(CRLF);
        }
        return message.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static String date(Instant instant) {
        return DATE.format(instant);
    }

    /** {@code Display Name <address>} (RFC 5322 3.4), the name quoted or encoded as needed. */
    static String mailbox(String displayName, String address) {
        String phrase;
        if (!isAscii(displayName)) {
            phrase = encodedWords(displayName);
        } else if (displayName.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == ' ')) {
            phrase = displayName;
        } else {
            phrase = "\"" + displayName.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        return phrase + " <" + address + ">";
    }

    /**
     * Header text as is when ASCII, else as RFC 2047 {@code =?UTF-8?B?...?=} words of at most 75 characters, split
     * only between whole characters (RFC 2047 5) and folded onto continuation lines.
     */
    static String encodedWords(String text) {
        if (isAscii(text)) {
            return text;
        }
        List<String> words = new ArrayList<>();
        int start = 0;
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int width = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + width > MAX_ENCODED_BYTES) {
                words.add(encodedWord(text.substring(start, i)));
                start = i;
                bytes = 0;
            }
            bytes += width;
            i += Character.charCount(codePoint);
        }
        words.add(encodedWord(text.substring(start)));
        return String.join(CRLF + " ", words);
    }

    private static String encodedWord(String text) {
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    /** Base64 in lines of 76 characters (RFC 2045 6.8). */
    private static String base64(byte[] data) {
        return Base64.getMimeEncoder(76, CRLF.getBytes(StandardCharsets.US_ASCII)).encodeToString(data);
    }

    static boolean isAscii(String text) {
        return text.chars().allMatch(c -> c < 0x80);
    }
}
