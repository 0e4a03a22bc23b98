package dev.easgate.core.command.sync;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.loop.LoopGuard;
import dev.easgate.core.protocol.ProtocolVersion;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What every collection of one Sync request shares.
 *
 * @param user    the store's user
 * @param device  the device's state key
 * @param version the request's protocol version
 * @param folders the user's folders by id, read once per request
 * @param now     when the request arrived (FilterType windows)
 * @param claims  this node run's claims on next keys
 * @param meetings the iMIP mail the organizer's calendar writes send
 * @param loops    the attempt's loop watch (set-aside items, repeated answers), or null for none
 */
record SyncContext(MailStore store, StateStore state, String user, DeviceKey device, ProtocolVersion version,
                   Map<String, Folder> folders, Instant now, SyncClaims claims, OrganizerWrites meetings,
                   LoopGuard.Watch loops) {

    SyncContext(MailStore store, StateStore state, String user, DeviceKey device, ProtocolVersion version,
                Map<String, Folder> folders, Instant now, SyncClaims claims) {
        this(store, state, user, device, version, folders, now, claims, OrganizerWrites.NONE, null);
    }

    /** The ids of the collection's items set aside by loop detection. */
    Set<String> setAside(String collectionId) {
        return loops == null ? Set.of() : loops.setAside(collectionId);
    }

    /** The Deleted Items folder, or {@code null}. */
    String deletedItemsId() {
        for (Folder folder : folders.values()) {
            if (folder.type() == FolderType.DELETED_ITEMS) {
                return folder.id();
            }
        }
        return null;
    }
}
