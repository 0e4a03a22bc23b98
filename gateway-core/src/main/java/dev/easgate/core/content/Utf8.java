package dev.easgate.core.content;

import java.nio.charset.StandardCharsets;

/** UTF-8 helpers for body truncation: sizes are bytes, and a cut never splits a character (MS-ASAIRS 2.2.2.40). */
public final class Utf8 {
    private Utf8() {
    }

    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The longest prefix of {@code data} of at most {@code maxBytes} bytes that ends on a character boundary: a cut
     * inside a multi-byte sequence moves back to the sequence's lead byte.
     */
    public static int boundary(byte[] data, long maxBytes) {
        if (maxBytes >= data.length) {
            return data.length;
        }
        int end = (int) Math.max(0, maxBytes);
        // a continuation byte (10xxxxxx) at the cut belongs to a character that started before it
        while (end > 0 && (data[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }

    /** The prefix as text (see {@link #boundary}). */
    public static String truncate(byte[] data, long maxBytes) {
        return new String(data, 0, boundary(data, maxBytes), StandardCharsets.UTF_8);
    }

    /** The first {@code chars} code points of {@code text} (Preview counts characters, not bytes). */
    public static String firstChars(String text, int chars) {
        if (text.codePointCount(0, text.length()) <= chars) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, chars));
    }
}
