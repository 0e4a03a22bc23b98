package dev.easgate.backends.mail;

import java.time.Instant;
import java.util.Objects;

/**
 * One item of a folder.
 *
 * @param id       server id, unique within the user's store
 * @param folderId the folder holding it
 * @param modSeq   the folder's modification sequence at the item's last change
 * @param date     received date of an email, start of an event, creation of other items (for FilterType)
 * @param content  what it holds
 */
public record Item(String id, String folderId, long modSeq, Instant date, ItemContent content) {
    public Item {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(folderId, "folderId");
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(content, "content");
    }
}
