package dev.easgate.backends.mail;

/** A store refused an operation; {@link #kind()} tells the command handler which EAS status to answer. */
public class MailStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Kind {
        /** The folder or item does not exist (any more). */
        NOT_FOUND,
        /** A folder of that name already exists under that parent. */
        ALREADY_EXISTS,
        /** The operation is not allowed on this folder (e.g. deleting the Inbox) or item. */
        NOT_ALLOWED,
        /** The content is not acceptable (bad MIME, wrong class for the folder). */
        INVALID,
        /** The store is unreachable or failed; retry later. */
        UNAVAILABLE,
        /**
         * The server behind the store refused the login the gateway used for the user (e.g. a CalDAV server
         * answering 401 because the user's password there differs): nothing the device can fix; retry later.
         */
        CREDENTIALS_REFUSED
    }

    private final Kind kind;

    public MailStoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public MailStoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
