package dev.easgate.core.command.sync;

import dev.easgate.wbxml.WbxmlElement;
import java.util.List;
import java.util.Objects;

/**
 * One Collection of a Sync request (MS-ASCMD 2.2.3.29.2).
 *
 * @param syncKey        the key the client holds ("0": start over)
 * @param collectionId   the folder's server id
 * @param className      the 2.5 Class element, or {@code null}
 * @param getChanges     GetChanges, or {@code null} when omitted (MS-ASCMD 2.2.3.84: then true, except for key 0)
 * @param windowSize     WindowSize, or {@code null}
 * @param deletesAsMoves DeletesAsMoves, or {@code null} (MS-ASCMD 2.2.3.43: omitted means true)
 * @param options        the Options elements as sent (detached), empty when none
 * @param supported      the Supported element (detached), or {@code null}
 * @param commands       the client's commands in order
 */
public record CollectionRequest(String syncKey, String collectionId, String className, Boolean getChanges,
                                Integer windowSize, Boolean deletesAsMoves, List<WbxmlElement> options,
                                WbxmlElement supported, List<ClientCommand> commands) {
    public CollectionRequest {
        Objects.requireNonNull(syncKey, "syncKey");
        Objects.requireNonNull(collectionId, "collectionId");
        options = List.copyOf(options);
        commands = List.copyOf(commands);
    }

    public boolean initial() {
        return syncKey.equals("0");
    }

    public boolean wantsChanges() {
        return !initial() && (getChanges == null || getChanges);
    }

    public boolean deletesMove() {
        return deletesAsMoves == null || deletesAsMoves;
    }

    public CollectionRequest withSyncKey(String key) {
        return new CollectionRequest(key, collectionId, className, getChanges, windowSize, deletesAsMoves, options,
                supported, commands);
    }

    public CollectionRequest withoutCommands() {
        return new CollectionRequest(syncKey, collectionId, className, getChanges, windowSize, deletesAsMoves,
                options, supported, List.of());
    }

    /** This request without commands and with its Options and Supported copied out of the request's buffer. */
    public CollectionRequest detached() {
        return new CollectionRequest(syncKey, collectionId, className, getChanges, windowSize, deletesAsMoves,
                options.stream().map(WbxmlElement::detached).toList(), supported == null ? null : supported.detached(),
                List.of());
    }
}
