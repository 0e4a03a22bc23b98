package dev.easgate.core.http.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Seed inputs in {@link FuzzInput}'s layout (choices as single bytes, strings as a length byte and UTF-8), one list
 * per target; the same bytes are the files of the Jazzer corpus under src/test/resources.
 */
final class HttpFrontSeeds {
    private HttpFrontSeeds() {
    }

    static List<byte[]> queries() {
        return List.of(
                // well-formed plain: Sync, alice, PH01, iPhone, CollectionId=5
                seed(2, 0, s("alice"), s("PH01"), s("iPhone"), 1, 0, s("5"), 0),
                // well-formed base64: 14.1, Sync, locale, DEV1, policy key, Android, User=alice, SaveInSent
                seed(3, 4, 0, 9, 4, s("DEV1"), 1, 1, 1, 2, 3, 4, s("Android"), 1, s("alice"), 0, 1, 1, 0),
                seed(0, "Cmd=Sync&User=a&DeviceId=X&DeviceType=Y"),
                seed(0, "jAkJBBA0Rjc4MDk4NzY1NDMyMTAEF2Vlc2UVQW5kcm9pZA=="),
                seed(1, 141, 0, 9, 4, 4, 'D', 'E', 'V', '1', 0, 5, 'P', 'h', 'o', 'n', 'e'));
    }

    static List<byte[]> credentials() {
        return List.of(
                seed(1, "Basic ZGVtbzpkZW1v"),
                seed(0, 0, s("DOM\\alice"), "pw:with:colons"),
                seed(0, 3, s(" bob "), ""));
    }

    static List<byte[]> requests() {
        return List.of(
                // POST FolderSync as demo, 16.1, WBXML, with the FolderSync document
                seed(0, 0, 5, s("demo"), s("FUZZ1"), s("iPhone"), 0, 0, 0, 0, 6, 0, 2, 0, 0, 1, 0),
                // POST Provision in the base64 form
                seed(0, 1, 4, 16, 9, 4, s("FUZZ2"), 1, 0, s("Android"), 0, 0, 0, 0, 0, 0, 3, 0, 2, 0, 0, 1, 1),
                // OPTIONS without anything
                seed(3, 3, 3, 2, 3, 2, 0, 0, 0),
                // POST Ping with a garbage body
                seed(0, 0, 14, s("demo"), s("FUZZ3"), s("x"), 0, 0, 0, 0, 3, 0, 2, 0, 0, 0, "\u0003\u0001j\u0000"));
    }

    static List<byte[]> all(String target) {
        return switch (target) {
            case "queries" -> queries();
            case "credentials" -> credentials();
            default -> requests();
        };
    }

    /** A string as FuzzInput reads it: its UTF-8 length, then its bytes. */
    private static byte[] s(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[bytes.length + 1];
        out[0] = (byte) bytes.length;
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        return out;
    }

    /** Numbers as single bytes, chars as single bytes, byte arrays and trailing strings as they are. */
    private static byte[] seed(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer number) {
                out.write(number);
            } else if (part instanceof Character c) {
                out.write(c);
            } else if (part instanceof byte[] bytes) {
                out.write(bytes, 0, bytes.length);
            } else {
                byte[] bytes = part.toString().getBytes(StandardCharsets.ISO_8859_1);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toByteArray();
    }
}
