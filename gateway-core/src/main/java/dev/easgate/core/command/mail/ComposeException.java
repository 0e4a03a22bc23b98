package dev.easgate.core.command.mail;

import java.util.Objects;

/** A compose request is refused with an EAS status; the message says why (no addresses, subjects or bodies). */
public final class ComposeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ComposeStatus status;

    public ComposeException(ComposeStatus status, String reason) {
        super(reason, null, false, false);
        this.status = Objects.requireNonNull(status, "status");
    }

    public ComposeStatus status() {
        return status;
    }
}
