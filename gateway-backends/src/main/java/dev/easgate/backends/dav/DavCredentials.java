package dev.easgate.backends.dav;

import java.util.Objects;
import java.util.Optional;

/**
 * How the gateway logs in to the DAV server for a user: by default as the user, with the password their device
 * authenticated with (hosting providers' servers have per-user logins and no account that reads everyone's
 * collections); or with one service account for every user.
 */
@FunctionalInterface
public interface DavCredentials {

    /** The login for {@code user} (the account's user name), or empty when the gateway knows none (no session). */
    Optional<Login> login(String user);

    /**
     * A DAV login; {@link #toString()} hides the password.
     *
     * @param principal the user's principal, {@code <dav.url><principal>/}
     * @param name      the Basic user name
     * @param password  its password
     */
    record Login(String principal, String name, String password) {
        public Login {
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Login[" + name + " for " + principal + "]";
        }
    }

    /** One service account for every user; a user's principal is their user name. */
    static DavCredentials service(String name, String password) {
        return user -> Optional.of(new Login(user, name, password));
    }
}
