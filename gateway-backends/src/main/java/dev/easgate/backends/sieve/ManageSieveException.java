package dev.easgate.backends.sieve;

import java.io.IOException;

/** The ManageSieve server answered NO or BYE (or something unreadable); {@link #refused()} for a failed login. */
final class ManageSieveException extends IOException {
    private final boolean refused;

    ManageSieveException(String message, boolean refused) {
        super(message);
        this.refused = refused;
    }

    boolean refused() {
        return refused;
    }
}
