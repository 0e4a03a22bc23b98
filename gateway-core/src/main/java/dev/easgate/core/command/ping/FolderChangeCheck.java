package dev.easgate.core.command.ping;

import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Which of a device's monitored folders hold changes it has not synced (MS-ASCMD 3.2.5.8: a Ping reports the
 * folders a Sync would bring something for). A folder changed when the store lists an added, changed or removed item
 * after the watermark of the device's collection state, or cannot answer incrementally. A folder the device never
 * synced has watermark 0, so it counts as changed exactly when it holds something: an empty unsynced folder would
 * make an empty Sync and is not reported, which keeps a device from looping between Ping and Sync.
 */
public final class FolderChangeCheck {
    private final MailStore store;
    private final StateStore state;

    public FolderChangeCheck(MailStore store, StateStore state) {
        this.store = Objects.requireNonNull(store, "store");
        this.state = Objects.requireNonNull(state, "state");
    }

    /** The ids among {@code folderIds} that changed, in the given order. */
    public Mono<List<String>> changed(DeviceKey device, List<String> folderIds) {
        return Flux.fromIterable(folderIds)
                .concatMap(id -> changed(device, id).filter(Boolean::booleanValue).map(yes -> id))
                .collectList();
    }

    /** Whether one folder changed. */
    public Mono<Boolean> changed(DeviceKey device, String folderId) {
        return state.collection(device, folderId)
                .map(CollectionState::watermark)
                .defaultIfEmpty(0L)
                .flatMap(watermark -> store.changesSince(device.user(), folderId, watermark))
                .map(FolderChangeCheck::hasChanges);
    }

    static boolean hasChanges(FolderChanges changes) {
        return changes.resetRequired() || !changes.changed().isEmpty() || !changes.vanished().isEmpty();
    }
}
