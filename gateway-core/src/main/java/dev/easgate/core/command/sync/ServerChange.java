package dev.easgate.core.command.sync;

/** A change the server sends in a Sync response's Commands (MS-ASCMD 2.2.3.32). */
public record ServerChange(Kind kind, String id, long modSeq) {
    /** Which command. */
    public enum Kind {
        ADD,
        CHANGE,
        DELETE,
        /** Left the FilterType window: the client removes it without it being deleted (2.2.3.162). */
        SOFT_DELETE
    }
}
