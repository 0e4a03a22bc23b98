package dev.easgate.backends.mail;

import java.util.Objects;

/**
 * A store changed: published after a write so that waiting Ping and Sync requests of that user can wake up.
 *
 * @param user     whose store changed
 * @param folderId the folder whose items changed ({@link Kind#ITEMS}), or the folder that was created, renamed,
 *                 moved or deleted ({@link Kind#HIERARCHY})
 * @param kind     what changed
 */
public record MailboxChange(String user, String folderId, Kind kind) {

    /** What a change touched. */
    public enum Kind {
        /** Items of the folder were added, changed or removed: its modification sequence grew. */
        ITEMS,
        /** The folder list changed (a FolderSync would report it, MS-ASCMD 2.2.1.5). */
        HIERARCHY
    }

    public MailboxChange {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(folderId, "folderId");
        Objects.requireNonNull(kind, "kind");
    }

    public static MailboxChange items(String user, String folderId) {
        return new MailboxChange(user, folderId, Kind.ITEMS);
    }

    public static MailboxChange hierarchy(String user, String folderId) {
        return new MailboxChange(user, folderId, Kind.HIERARCHY);
    }
}
