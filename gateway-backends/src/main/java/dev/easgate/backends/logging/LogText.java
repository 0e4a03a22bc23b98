package dev.easgate.backends.logging;

/**
 * A value someone else controls (a header, a forwarded address, a server's greeting), made safe for one log line:
 * control characters, backslashes and non-ASCII are written as escapes, so a value can neither start a forged line
 * nor hide characters; long values are cut.
 */
public final class LogText {
    private static final int MAX = 200;

    private LogText() {
    }

    /** {@code value} escaped ({@code \n}, {@code \\}, {@code \u00e9}...) and cut at 200 characters; null as "-". */
    public static String escape(String value) {
        if (value == null) {
            return "-";
        }
        boolean clean = value.length() <= MAX;
        for (int i = 0; i < value.length() && clean; i++) {
            char c = value.charAt(i);
            clean = c >= 0x20 && c < 0x7F && c != '\\';
        }
        if (clean) {
            return value;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 16);
        for (int i = 0; i < value.length(); i++) {
            if (out.length() >= MAX) {
                return out.append("...").toString();
            }
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        return out.toString();
    }
}
