package dev.easgate.backends.mail;

import java.time.Instant;
import java.util.Objects;

/**
 * One item of a folder.
 *
 * @param id       server id, unique within the user's store
 * @param folderId the folder holding it
 * @param modSeq   the item's version, as {@link ItemVersion#modSeq}; a write's result carries the version of what
 *                 it wrote, which the core records as what the writing device holds
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
