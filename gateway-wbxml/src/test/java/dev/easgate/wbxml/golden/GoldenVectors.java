package dev.easgate.wbxml.golden;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * The golden vectors under {@code src/test/resources/golden/}: for each name an XML fixture ({@code name.xml}, as
 * {@code WbxmlXml.render(..., Redaction.NONE)} writes it) and the WBXML bytes written by hand from the token tables
 * ({@code name.hex}: hex digits, whitespace ignored, {@code #} starts a comment that runs to the end of the line).
 */
public final class GoldenVectors {
    /** A request and a response for each of Sync, FolderSync, Ping, Provision and ItemOperations. */
    public static final List<String> NAMES = List.of(
            "sync-request", "sync-response",
            "foldersync-request", "foldersync-response",
            "ping-request", "ping-response",
            "provision-request", "provision-response",
            "itemoperations-request", "itemoperations-response");

    private GoldenVectors() {
    }

    public static String xml(String name) {
        return new String(resource(name + ".xml"), StandardCharsets.UTF_8);
    }

    public static byte[] wbxml(String name) {
        return parseHex(new String(resource(name + ".hex"), StandardCharsets.UTF_8));
    }

    /** Hex digits with whitespace between them and {@code #} comments; anything else is an error. */
    public static byte[] parseHex(String text) {
        StringBuilder digits = new StringBuilder(text.length());
        for (String line : text.split("\n", -1)) {
            int hash = line.indexOf('#');
            String data = hash < 0 ? line : line.substring(0, hash);
            for (int i = 0; i < data.length(); i++) {
                char c = data.charAt(i);
                if (!Character.isWhitespace(c)) {
                    digits.append(c);
                }
            }
        }
        return HexFormat.of().parseHex(digits);
    }

    private static byte[] resource(String file) {
        try (InputStream in = GoldenVectors.class.getResourceAsStream("/golden/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource golden/" + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
