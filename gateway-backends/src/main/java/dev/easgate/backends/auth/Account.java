package dev.easgate.backends.auth;

import java.util.Objects;

/**
 * A user of the gateway.
 *
 * @param user           the login name (the EAS {@code User} and Basic user name)
 * @param displayName    a human name for Settings UserInformation and From headers
 * @param primaryAddress the SMTP address
 */
public record Account(String user, String displayName, String primaryAddress) {
    public Account {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(primaryAddress, "primaryAddress");
    }
}
