package dev.easgate.backends.imap;

import java.util.Objects;
import java.util.Optional;

/**
 * How the gateway logs in to IMAP (and SMTP) on a user's behalf. {@link ImapAccounts} keeps the password a device
 * authenticated with in memory for the session; a deployment with a Dovecot master user logs in as
 * {@code user*master} with the master password instead.
 */
@FunctionalInterface
public interface ImapCredentials {

    /** The login for {@code user}, or empty when the gateway does not know one (the user has not logged in). */
    Optional<Login> login(String user);

    /** An IMAP/SMTP login; {@link #toString()} hides the password. */
    record Login(String name, String password) {
        public Login {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Login[" + name + "]";
        }
    }

    /** Logs in as {@code user + separator + masterUser} with the master password (Dovecot master users). */
    static ImapCredentials master(String masterUser, String masterPassword, String separator) {
        return user -> Optional.of(new Login(user + separator + masterUser, masterPassword));
    }

    /** Tries {@code this}, then {@code other}. */
    default ImapCredentials or(ImapCredentials other) {
        return user -> login(user).or(() -> other.login(user));
    }
}
