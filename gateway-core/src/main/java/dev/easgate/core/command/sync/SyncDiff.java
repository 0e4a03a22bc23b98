package dev.easgate.core.command.sync;

import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.ItemVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The diff engine of one collection, a pure function (see {@link dev.easgate.backends.state.CollectionState}):
 * sorts the store's changes after the watermark into Add (unknown id), Change (a version other than delivered),
 * Delete (a vanished known id) and SoftDelete (a known item now outside the FilterType window), takes one page of at
 * most {@code window}, and moves the watermark only when nothing is left pending, so that paging never skips a
 * change: the next page asks from the same watermark and skips what the known map says was delivered.
 */
public final class SyncDiff {
    private SyncDiff() {
    }

    /**
     * What to send now.
     *
     * @param page          the commands of this response, deletes first, then adds and changes in the store's order
     * @param known         the known map after this page
     * @param watermark     the watermark after this page
     * @param moreAvailable changes are left for the next request (MS-ASCMD 2.2.3.108 MoreAvailable)
     * @param pending       how many changes were pending in total before this page (GetItemEstimate)
     */
    public record Result(List<ServerChange> page, Map<String, Long> known, long watermark, boolean moreAvailable,
                         int pending) {
    }

    /**
     * @param watermark the collection's watermark
     * @param known     what the device holds
     * @param changes   the store's answer to changesSince(watermark)
     * @param cutoff    the oldest date FilterType lets through, or {@code null}
     * @param window    the most commands to send (0: none, only count)
     */
    public static Result compute(long watermark, Map<String, Long> known, FolderChanges changes, Instant cutoff,
                                 int window) {
        List<ServerChange> pending = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (ItemVersion version : changes.changed()) {
            present.add(version.id());
        }
        if (changes.resetRequired()) {
            // the store could not answer incrementally: every known id not listed is gone
            for (String id : known.keySet()) {
                if (!present.contains(id)) {
                    pending.add(new ServerChange(ServerChange.Kind.DELETE, id, 0));
                }
            }
        } else {
            for (String id : changes.vanished()) {
                if (known.containsKey(id) && !present.contains(id)) {
                    pending.add(new ServerChange(ServerChange.Kind.DELETE, id, 0));
                }
            }
        }
        for (ItemVersion version : changes.changed()) {
            Long delivered = known.get(version.id());
            boolean inWindow = cutoff == null || !version.date().isBefore(cutoff);
            if (delivered == null) {
                if (inWindow) {
                    pending.add(new ServerChange(ServerChange.Kind.ADD, version.id(), version.modSeq()));
                }
            } else if (!inWindow) {
                pending.add(new ServerChange(ServerChange.Kind.SOFT_DELETE, version.id(), version.modSeq()));
            } else if (delivered != version.modSeq()) {
                // a version is not an order (ItemVersion): another one is other content, the same one is what the
                // device holds, e.g. after a store's resetRequired made this a compare of the whole folder
                pending.add(new ServerChange(ServerChange.Kind.CHANGE, version.id(), version.modSeq()));
            }
        }
        int take = Math.min(Math.max(window, 0), pending.size());
        List<ServerChange> page = List.copyOf(pending.subList(0, take));
        Map<String, Long> next = new HashMap<>(known);
        for (ServerChange change : page) {
            switch (change.kind()) {
                case ADD, CHANGE -> next.put(change.id(), change.modSeq());
                case DELETE, SOFT_DELETE -> next.remove(change.id());
            }
        }
        boolean more = take < pending.size();
        long nextWatermark = more ? watermark : changes.highestModSeq();
        return new Result(page, next, nextWatermark, more, pending.size());
    }
}
