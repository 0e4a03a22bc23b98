package dev.easgate.backends.state;

import dev.easgate.backends.mail.Folder;
import java.util.List;
import java.util.Objects;

/**
 * The folder hierarchy a device holds after a FolderSync, and the answer it was given, so that a retried request
 * is answered the same way (MS-ASCMD 2.2.3.177.2 FolderSync SyncKey).
 *
 * @param syncKey         the key the device now holds
 * @param folders         the folders as the device knows them
 * @param previousKey     the key of the request that produced this state ("0" for the first)
 * @param previousResponse the encoded response to that request, replayed when it is repeated
 */
public record HierarchyState(String syncKey, List<Folder> folders, String previousKey, byte[] previousResponse) {
    public HierarchyState {
        Objects.requireNonNull(syncKey, "syncKey");
        folders = List.copyOf(folders);
        Objects.requireNonNull(previousKey, "previousKey");
        Objects.requireNonNull(previousResponse, "previousResponse");
    }
}
