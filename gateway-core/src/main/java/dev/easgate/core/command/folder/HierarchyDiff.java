package dev.easgate.core.command.folder;

import dev.easgate.backends.mail.Folder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a FolderSync reports to a device (MS-ASCMD 2.2.3.25 Changes): the folders the device does not know, those it
 * knows under another name, parent or type, and the ids it knows that are gone.
 *
 * @param added   new folders, parents before children
 * @param updated renamed, moved or retyped folders
 * @param deleted ids of vanished folders whose parent did not vanish with them (a device drops a deleted folder's
 *                subfolders itself)
 */
public record HierarchyDiff(List<Folder> added, List<Folder> updated, List<String> deleted) {
    public HierarchyDiff {
        added = List.copyOf(added);
        updated = List.copyOf(updated);
        deleted = List.copyOf(deleted);
    }

    /** From what the device {@code known} to the {@code current} folders of the store (parents first). */
    public static HierarchyDiff between(List<Folder> known, List<Folder> current) {
        Map<String, Folder> before = new HashMap<>();
        for (Folder folder : known) {
            before.put(folder.id(), folder);
        }
        Set<String> now = new HashSet<>();
        List<Folder> added = new ArrayList<>();
        List<Folder> updated = new ArrayList<>();
        for (Folder folder : current) {
            now.add(folder.id());
            Folder old = before.get(folder.id());
            if (old == null) {
                added.add(folder);
            } else if (!old.equals(folder)) {
                updated.add(folder);
            }
        }
        List<String> deleted = new ArrayList<>();
        for (Folder folder : known) {
            boolean gone = !now.contains(folder.id());
            boolean parentGone = before.containsKey(folder.parentId()) && !now.contains(folder.parentId());
            if (gone && !parentGone) {
                deleted.add(folder.id());
            }
        }
        return new HierarchyDiff(added, updated, deleted);
    }

    /** The ids of {@code known} that are gone from {@code current}, subfolders included. */
    public static List<String> vanished(List<Folder> known, List<Folder> current) {
        Set<String> now = new HashSet<>();
        current.forEach(folder -> now.add(folder.id()));
        return known.stream().map(Folder::id).filter(id -> !now.contains(id)).toList();
    }

    /** The Count of MS-ASCMD 2.2.3.37. */
    public int count() {
        return added.size() + updated.size() + deleted.size();
    }

    public boolean isEmpty() {
        return count() == 0;
    }
}
