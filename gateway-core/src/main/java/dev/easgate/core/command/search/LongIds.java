package dev.easgate.core.command.search;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The search:LongId of a search result (MS-ASCMD 2.2.3.96): folder and item id, each percent-encoded, joined by a
 * colon. ItemOperations, SmartReply and SmartForward may name an item by it.
 */
public final class LongIds {
    private LongIds() {
    }

    public static String format(String folderId, String itemId) {
        return URLEncoder.encode(folderId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(itemId,
                StandardCharsets.UTF_8);
    }

    /** {folderId, itemId}, or {@code null} when {@code longId} is not one this gateway issued. */
    public static String[] parse(String longId) {
        if (longId == null) {
            return null;
        }
        String[] parts = longId.strip().split(":", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return null;
        }
        try {
            return new String[] {URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    URLDecoder.decode(parts[1], StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
