package dev.easgate.core.command.sync;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The one rule that decides whether a folder holds something for a device: what the device's next Sync of it would
 * send, computed by the same {@link SyncDiff} over the same stored {@link CollectionState} (watermark, the ids and
 * versions the device holds, its FilterType). Ping (MS-ASCMD 3.2.5.8: status 2 lists the folders a Sync would bring
 * something for), GetItemEstimate and Sync itself use it, so they cannot disagree: what a device wrote itself is in
 * its known map at the version the store gave the write, so it is never pending for that device, while a change by
 * anyone else is. A folder the device never synced counts exactly when it holds something, so an empty unsynced
 * folder never sends a device from Ping to an empty Sync and back.
 */
public final class PendingChanges {
    private final MailStore store;
    private final StateStore state;
    private final Clock clock;

    public PendingChanges(MailStore store, StateStore state, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The ids among {@code folderIds} that hold something for the device, in the given order: the check of a
     * request parked listening to the user's changes, so the store may answer as of the state it observed last
     * ({@link MailStore#parkedChangesSince}); a change after that wakes the request.
     */
    public Mono<List<String>> pendingFolders(DeviceKey device, List<String> folderIds, Map<String, Folder> folders) {
        return Flux.fromIterable(folderIds)
                .filter(folders::containsKey)
                .concatMap(id -> any(device, folders.get(id)).filter(Boolean::booleanValue).map(yes -> id))
                .collectList();
    }

    /** Whether the device's next Sync of {@code folder} would send anything, for a parked request's check. */
    private Mono<Boolean> any(DeviceKey device, Folder folder) {
        return state.collection(device, folder.id())
                .map(current -> {
                    CollectionOptions options = CollectionOptions.decode(current.options());
                    return new Watched(current.watermark(), current.known(), cutoff(options, folder, clock.instant()));
                })
                .defaultIfEmpty(Watched.NEVER_SYNCED)
                .flatMap(watched -> store.parkedChangesSince(device.user(), folder.id(), watched.watermark())
                        .map(changes -> count(watched.watermark(), watched.known(), changes, watched.cutoff()) > 0));
    }

    /**
     * How many changes a Sync from this state would send (GetItemEstimate's Estimate).
     *
     * @param cutoff the oldest date the device's FilterType lets through, or {@code null}
     */
    public Mono<Integer> count(String user, Folder folder, CollectionState current, Instant cutoff) {
        return store.changesSince(user, folder.id(), current.watermark())
                .map(changes -> count(current.watermark(), current.known(), changes, cutoff));
    }

    /** The rule itself, a pure function of the state and the store's listing after its watermark. */
    public static int count(long watermark, Map<String, Long> known, FolderChanges changes, Instant cutoff) {
        return SyncDiff.compute(watermark, known, changes, cutoff, 0).pending();
    }

    /** The FilterType cutoff of stored options; options the store kept but cannot read now mean no cutoff. */
    private static Instant cutoff(CollectionOptions options, Folder folder, Instant now) {
        try {
            return options.cutoff(folder.itemClass(), now);
        } catch (SyncProtocolException | IllegalArgumentException e) {
            return null;
        }
    }

    /** What a device holds of a folder, as far as the rule needs it. */
    private record Watched(long watermark, Map<String, Long> known, Instant cutoff) {
        static final Watched NEVER_SYNCED = new Watched(0, Map.of(), null);
    }
}
