package dev.easgate.backends.bus;

import java.util.HashMap;
import java.util.Map;

/**
 * The documented message format of the change bus: one compact JSON object. On a Redis channel the user is the
 * channel's and never in the payload; the push webhook ({@code POST /push/v1/events}) takes the same object with a
 * {@code "user"} field added ({@link #decodeAddressed}).
 *
 * <ul>
 *   <li>{@code {"t":"folder","f":"<folderId>","h":false}}: something changed in a folder; {@code "f"} omitted (or
 *       null) means "some folder, unknown which" and wakes every waiting device of the user for all its folders;
 *       {@code "h":true} means the folder list itself changed (created, renamed, deleted folders); {@code "h"}
 *       defaults to false; {@code "at"} (optional) is the publication time in epoch milliseconds, for the gateway's
 *       wake latency metric. The smallest wake-up a mail server can send is therefore {@code {"t":"folder"}}.</li>
 *   <li>{@code {"t":"parked","d":"<deviceId>","p":"<parkId>"}}: a device parked a new Ping or long Sync on some
 *       gateway node (gateway-internal).</li>
 * </ul>
 * Readers ignore unknown fields and values of other types in known fields where a default exists, so the format can
 * grow. A message that is not such an object (or names an unknown {@code "t"}) is dropped by the reader.
 */
public final class ChangePayload {

    private ChangePayload() {
    }

    /** The JSON of an event. */
    public static String encode(BusEvent event) {
        StringBuilder json = new StringBuilder(64);
        if (event instanceof BusEvent.FolderChanged changed) {
            json.append("{\"t\":\"folder\"");
            if (changed.folderId() != null) {
                json.append(",\"f\":");
                string(json, changed.folderId());
            }
            json.append(",\"h\":").append(changed.hierarchy());
            if (changed.publishedAtMillis() != 0) {
                json.append(",\"at\":").append(changed.publishedAtMillis());
            }
            json.append('}');
        } else if (event instanceof BusEvent.DeviceParked parked) {
            json.append("{\"t\":\"parked\",\"d\":");
            string(json, parked.deviceId());
            json.append(",\"p\":");
            string(json, parked.parkId());
            json.append('}');
        }
        return json.toString();
    }

    /**
     * The event a message of {@code user}'s channel carries.
     *
     * @throws IllegalArgumentException when the message is not a change payload (the reason in the message)
     */
    public static BusEvent decode(String user, String json) {
        return decode(user, new Reader(json).document());
    }

    private static BusEvent decode(String user, Map<String, Object> fields) {
        Object type = fields.get("t");
        if ("folder".equals(type)) {
            Object folder = fields.get("f");
            if (folder != null && !(folder instanceof String)) {
                throw new IllegalArgumentException("\"f\" is not a string");
            }
            long publishedAt = 0;
            if (fields.get("at") instanceof Number number) {
                publishedAt = number.integral();
            }
            return new BusEvent.FolderChanged(user, (String) folder, Boolean.TRUE.equals(fields.get("h")),
                    publishedAt);
        }
        if ("parked".equals(type)) {
            if (!(fields.get("d") instanceof String device) || !(fields.get("p") instanceof String park)) {
                throw new IllegalArgumentException("\"parked\" without string \"d\" and \"p\"");
            }
            return new BusEvent.DeviceParked(user, device, park);
        }
        throw new IllegalArgumentException("unknown \"t\": " + type);
    }

    private static void string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** A JSON number, kept as its text. */
    private record Number(String text) {
        /** The value as a whole number, 0 when it is not one (a fraction, an exponent, out of range). */
        long integral() {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    /**
     * A small strict JSON reader for one object: top-level members become strings, booleans, null or {@link Number}s; nested objects and arrays are parsed and skipped (map to a marker), so unknown structured fields are
     * tolerated. Depth is bounded against hostile input.
     */
    /**
     * The event of a message that names its user itself, {@code {"user":"alice@example.com","t":"folder",...}}: the
     * form the push webhook takes.
     *
     * @throws IllegalArgumentException when the message is not such a payload
     */
    public static BusEvent decodeAddressed(String json) {
        Map<String, Object> fields = new Reader(json).document();
        if (!(fields.get("user") instanceof String user) || user.isBlank()) {
            throw new IllegalArgumentException("\"user\" is missing or not a string");
        }
        return decode(user, fields);
    }

    private static final class Reader {
        private static final Object NESTED = new Object();
        private static final int MAX_DEPTH = 32;
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        Map<String, Object> document() {
            space();
            expect('{');
            Map<String, Object> fields = new HashMap<>();
            space();
            if (peek() == '}') {
                at++;
            } else {
                while (true) {
                    space();
                    String name = string();
                    space();
                    expect(':');
                    fields.put(name, value(1));
                    space();
                    char next = next();
                    if (next == '}') {
                        break;
                    }
                    if (next != ',') {
                        throw error("expected , or }");
                    }
                }
            }
            space();
            if (at != text.length()) {
                throw error("text after the object");
            }
            return fields;
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested too deep");
            }
            space();
            char c = peek();
            switch (c) {
                case '"' -> {
                    return string();
                }
                case '{' -> {
                    at++;
                    space();
                    if (peek() == '}') {
                        at++;
                        return NESTED;
                    }
                    while (true) {
                        space();
                        string();
                        space();
                        expect(':');
                        value(depth + 1);
                        space();
                        char next = next();
                        if (next == '}') {
                            return NESTED;
                        }
                        if (next != ',') {
                            throw error("expected , or }");
                        }
                    }
                }
                case '[' -> {
                    at++;
                    space();
                    if (peek() == ']') {
                        at++;
                        return NESTED;
                    }
                    while (true) {
                        value(depth + 1);
                        space();
                        char next = next();
                        if (next == ']') {
                            return NESTED;
                        }
                        if (next != ',') {
                            throw error("expected , or ]");
                        }
                    }
                }
                case 't' -> {
                    literal("true");
                    return Boolean.TRUE;
                }
                case 'f' -> {
                    literal("false");
                    return Boolean.FALSE;
                }
                case 'n' -> {
                    literal("null");
                    return null;
                }
                default -> {
                    int start = at;
                    while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                        at++;
                    }
                    if (start == at) {
                        throw error("unexpected character");
                    }
                    return new Number(text.substring(start, at));
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder value = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return value.toString();
                }
                if (c < 0x20) {
                    throw error("control character in a string");
                }
                if (c != '\\') {
                    value.append(c);
                    continue;
                }
                char escaped = next();
                switch (escaped) {
                    case '"', '\\', '/' -> value.append(escaped);
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            value.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException e) {
                            throw error("bad \\u escape");
                        }
                        at += 4;
                    }
                    default -> throw error("bad escape");
                }
            }
        }

        private void literal(String word) {
            if (!text.startsWith(word, at)) {
                throw error("unexpected character");
            }
            at += word.length();
        }

        private void space() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        private char peek() {
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            return text.charAt(at);
        }

        private char next() {
            char c = peek();
            at++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw error("expected " + c);
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not a change payload: " + what + " at " + at);
        }
    }
}
