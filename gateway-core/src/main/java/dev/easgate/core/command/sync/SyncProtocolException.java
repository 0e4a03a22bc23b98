package dev.easgate.core.command.sync;

/** A Sync request that breaks MS-ASCMD: answered with status 4 (protocol error); the message is safe to log. */
public final class SyncProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SyncProtocolException(String message) {
        super(message, null, false, false);
    }
}
