package dev.easgate.core.content;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The AirSyncBase:FileReference of an email attachment (MS-ASAIRS 2.2.2.24): folder, item and the index of the
 * attachment's leaf part in the MIME tree, written {@code folder:item:index} with each id percent-encoded so that
 * ids holding colons survive. Stable as long as the item keeps its id (emails are immutable).
 */
public record AttachmentReference(String folderId, String itemId, int partIndex) {
    public AttachmentReference {
        Objects.requireNonNull(folderId, "folderId");
        Objects.requireNonNull(itemId, "itemId");
        if (partIndex < 0) {
            throw new IllegalArgumentException("part index " + partIndex);
        }
    }

    public String format() {
        return encode(folderId) + ":" + encode(itemId) + ":" + partIndex;
    }

    /** The reference written in {@code text}, or {@code null} when it is not one this gateway issued. */
    public static AttachmentReference parse(String text) {
        if (text == null) {
            return null;
        }
        String stripped = text.strip();
        if (stripped.indexOf(':') < 0 && stripped.toUpperCase(java.util.Locale.ROOT).contains("%3A")) {
            // the AttachmentName form: the reference as it stood, percent-encoded, in a GetAttachment query string
            try {
                stripped = decode(stripped);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        String[] parts = stripped.split(":", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return null;
        }
        try {
            return new AttachmentReference(decode(parts[0]), decode(parts[1]), Integer.parseInt(parts[2]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private static String decode(String id) {
        return URLDecoder.decode(id, StandardCharsets.UTF_8);
    }
}
