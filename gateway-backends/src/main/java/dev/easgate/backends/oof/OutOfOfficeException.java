package dev.easgate.backends.oof;

/**
 * The Out of Office store could not answer: its server is unreachable or failed, refused the user's login, or this
 * deployment has no way to send automatic replies.
 */
public final class OutOfOfficeException extends RuntimeException {
    /** Why. */
    public enum Reason { UNAVAILABLE, REFUSED, DISABLED }

    private final Reason reason;

    public OutOfOfficeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
