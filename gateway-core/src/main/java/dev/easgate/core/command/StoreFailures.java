package dev.easgate.core.command;

import dev.easgate.backends.mail.MailStoreException;
import java.util.Map;

/**
 * What every command does with a login the server behind the store refused for the user
 * ({@link MailStoreException.Kind#CREDENTIALS_REFUSED}, e.g. a CalDAV server whose password for the user differs
 * from the one the device logged in with). The store logs it once per user, naming the server; handlers log it at
 * DEBUG only, so a phone retrying every minute does not fill the log. Each command answers its own "server error,
 * retry" status (see the handlers), never a hierarchy without the folders it cannot read: a phone that saw its
 * calendars vanish from FolderSync would delete them.
 */
public final class StoreFailures {
    /** Seconds a device is asked to wait where only an HTTP status can be answered (MS-ASHTTP 503). */
    public static final long RETRY_AFTER_SECONDS = 300;

    private StoreFailures() {
    }

    /** Whether {@code e} is a refused login, which the store has logged already. */
    public static boolean credentialsRefused(Throwable e) {
        return e instanceof MailStoreException store && store.kind() == MailStoreException.Kind.CREDENTIALS_REFUSED;
    }

    /**
     * HTTP 503 with Retry-After (MS-ASHTTP 2.2.2.1.1): for commands whose status table has no server error and
     * clients older than 14.0, which know no common status codes.
     */
    public static CommandResponse serviceUnavailable() {
        return new CommandResponse(503, null, null, null, null,
                Map.of("Retry-After", Long.toString(RETRY_AFTER_SECONDS)));
    }
}
