package dev.easgate.backends.mail;

import java.util.Objects;

/**
 * A folder of a user's store.
 *
 * @param id       stable server id (survives renames)
 * @param parentId the parent's id, or {@code "0"} for a top-level folder (MS-ASCMD FolderSync ParentId)
 * @param name     the display name
 * @param type     the EAS folder type
 */
public record Folder(String id, String parentId, String name, FolderType type) {
    /** The ParentId of a top-level folder. */
    public static final String ROOT = "0";

    public Folder {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(parentId, "parentId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    public ItemClass itemClass() {
        return type.itemClass();
    }
}
