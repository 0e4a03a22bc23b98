package dev.easgate.core.command.search;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A mailbox search as Search (Store Mailbox) and Find (MailBoxSearchCriterion) express it.
 *
 * @param words         free-text words, all of which must occur (case-insensitive) in the subject, the
 *                      addresses or the body; empty: no text condition
 * @param collectionId  the folder to search, or {@code null} for every email folder
 * @param deepTraversal with a folder: its subfolders too
 * @param after         only mail received after this instant (GreaterThan DateReceived), or {@code null}
 * @param before        only mail received before this instant (LessThan DateReceived), or {@code null}
 */
public record MailboxQuery(List<String> words, String collectionId, boolean deepTraversal, Instant after,
                           Instant before) {
    public MailboxQuery {
        words = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).filter(w -> !w.isBlank()).toList();
    }

    /** Splits free text into words. */
    public static List<String> words(String freeText) {
        if (freeText == null || freeText.isBlank()) {
            return List.of();
        }
        return List.of(freeText.strip().split("\\s+"));
    }
}
