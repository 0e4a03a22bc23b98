package dev.easgate.core.command.sync;

import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Mono;

/**
 * Keeps what a device holds in step with the writes it makes outside Sync. After a MoveItems (MS-ASCMD 2.2.1.12) the
 * device holds the item in the destination under the DstMsgId it was answered (2.2.3.47.2), not in the source: so
 * the item leaves the source's known ids and joins the destination's at the version the store gave the move. The
 * next Sync of either folder then sends nothing for it, and {@link PendingChanges} does not count it for this
 * device, while the user's other devices see a delete and an add.
 *
 * <p>Only collections the device has synced are touched; the sync key, the watermark and the replay copy stay as
 * they are. A Sync of the same collection racing with the update wins (compare-and-set); the device then gets the
 * delete and the add the move would have brought it before, which is harmless.
 */
public final class KnownItems {
    private static final int ATTEMPTS = 3;

    private final StateStore state;

    public KnownItems(StateStore state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    /** The device moved {@code oldId} from one folder to another, where it is now {@code newId} at {@code modSeq}. */
    public Mono<Void> moved(DeviceKey device, String fromFolderId, String oldId, String toFolderId, String newId,
                            long modSeq) {
        return update(device, fromFolderId, known -> {
            known.remove(oldId);
            return known;
        }, ATTEMPTS).then(update(device, toFolderId, known -> {
            known.put(newId, modSeq);
            return known;
        }, ATTEMPTS));
    }

    private Mono<Void> update(DeviceKey device, String folderId, UnaryOperator<Map<String, Long>> change,
                              int attempts) {
        return state.collection(device, folderId).flatMap(current -> {
            Map<String, Long> known = change.apply(new HashMap<>(current.known()));
            CollectionState next = new CollectionState(current.syncKey(), current.watermark(), known,
                    current.previousKey(), current.previousResponse(), current.options(), current.claim());
            return state.replaceCollection(device, folderId, current.syncKey(), next)
                    .flatMap(stored -> stored || attempts <= 1 ? Mono.<Void>empty()
                            : update(device, folderId, change, attempts - 1));
        });
    }
}
