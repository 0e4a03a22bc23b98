package dev.easgate.backends.oof;

/** The Out of Office store could not answer: its server is unreachable or failed, or refused the user's login. */
public final class OutOfOfficeException extends RuntimeException {
    /** Why. */
    public enum Reason { UNAVAILABLE, REFUSED }

    private final Reason reason;

    public OutOfOfficeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
