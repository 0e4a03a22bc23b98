package dev.easgate.core.heartbeat;

import java.util.Set;

/**
 * Why a parked request ended.
 *
 * @param reason         the cause
 * @param changedFolders the watched folders that changed (for {@link Reason#CHANGED}; all of them after a bus gap)
 */
public record ParkOutcome(Reason reason, Set<String> changedFolders) {

    /** The causes, in the terms of the wake metrics. */
    public enum Reason {
        /** A watched folder changed (Ping status 2; Sync answers with the changes). */
        CHANGED,
        /** The user's folder list changed (Ping status 7: the device must FolderSync first). */
        HIERARCHY_CHANGED,
        /** The heartbeat expired without a change (Ping status 1; Sync with no changes). */
        EXPIRED,
        /** The same device parked a newer request, on this node or another. */
        SUPERSEDED,
        /** The node is draining: the device should reconnect, possibly to another node. */
        DRAINED,
        /** The change bus reported a gap (reconnect): every watched folder is reported changed. */
        BUS_GAP
    }

    public ParkOutcome {
        changedFolders = Set.copyOf(changedFolders);
    }

    static ParkOutcome of(Reason reason) {
        return new ParkOutcome(reason, Set.of());
    }

    /** Whether the device must be told that folders changed. */
    public boolean changed() {
        return reason == Reason.CHANGED || reason == Reason.BUS_GAP;
    }
}
