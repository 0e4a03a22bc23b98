package dev.easgate.core.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.nio.charset.StandardCharsets;

/**
 * Logback's JSON lines with the line separators JSON leaves raw also escaped: logback escapes the C0 controls of
 * every string, but DEL, the C1 controls (NEL) and U+2028/U+2029 are legal inside a JSON string and still break
 * the line in many viewers and shippers. They can only occur inside strings (the JSON structure is ASCII), so
 * writing them as {@code \\uXXXX} keeps each record valid JSON on one line.
 */
final class OneLineJsonEncoder extends JsonEncoder {
    @Override
    public byte[] encode(ILoggingEvent event) {
        byte[] bytes = super.encode(event);
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0 || b == 0x7F) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return bytes;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // the record's own final line break stays
            if (OneLine.breaks(c) && c != '\n') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
