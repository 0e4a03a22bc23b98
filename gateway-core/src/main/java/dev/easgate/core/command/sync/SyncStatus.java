package dev.easgate.core.command.sync;

/** Sync status codes (MS-ASCMD 2.2.3.177.17) used by this gateway. */
public final class SyncStatus {
    public static final int SUCCESS = 1;
    /** Invalid or unknown synchronization key: the client must sync again from key 0. */
    public static final int INVALID_SYNC_KEY = 3;
    /** Protocol error: the request is malformed. */
    public static final int PROTOCOL_ERROR = 4;
    public static final int SERVER_ERROR = 5;
    /** Error in client/server conversion: the item sent cannot be stored. */
    public static final int CONVERSION_ERROR = 6;
    /** Object not found. */
    public static final int OBJECT_NOT_FOUND = 8;
    /** The folder hierarchy has changed: the collection is unknown; the client runs FolderSync. */
    public static final int HIERARCHY_CHANGED = 12;
    /** An empty or partial request without a cached full request to complete it. */
    public static final int INCOMPLETE_REQUEST = 13;
    /** Wait or HeartbeatInterval out of range; Limit gives the bound. */
    public static final int INVALID_WAIT = 14;
    /** Too many collections. */
    public static final int TOO_MANY_COLLECTIONS = 15;
    /** Transient server problem: retry. */
    public static final int RETRY = 16;

    private SyncStatus() {
    }
}
