package dev.easgate.core.logging;

/**
 * The layout's last guard that one log record is one line: every character that can end or hide a line (C0
 * controls, DEL, C1 controls such as NEL, U+2028 and U+2029) is written as a {@code \n}/{@code \\uXXXX} escape.
 * Backslashes are left as they are: values escaped by {@link dev.easgate.backends.logging.LogText} already show
 * theirs doubled, and escaping twice would only make those lines harder to read.
 */
final class OneLine {
    private OneLine() {
    }

    static boolean breaks(char c) {
        return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029';
    }

    static String of(String text) {
        if (text == null) {
            return null;
        }
        int first = -1;
        for (int i = 0; i < text.length(); i++) {
            if (breaks(text.charAt(i))) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!breaks(c)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }
}
