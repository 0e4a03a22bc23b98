package dev.easgate.backends.auth;

import java.util.Locale;

/**
 * The one rule every accounts backend shares for what a login name means when the backend itself cannot say
 * (an unknown name, a wrong password): the Windows realm of {@code EXAMPLE\bob} is dropped, case is ignored, and
 * the backend's own mail domain is dropped ({@code bob@example.com} is {@code bob}). Failed logins are counted
 * under this key, so every spelling of one account meets the same limit.
 */
public final class LoginNames {
    private LoginNames() {
    }

    /** {@code login} without realm, surrounding blanks, case and the default {@code domain} (may be empty). */
    public static String canonical(String login, String domain) {
        String name = login;
        int backslash = name.lastIndexOf('\\');
        if (backslash >= 0) {
            name = name.substring(backslash + 1);
        }
        name = name.strip().toLowerCase(Locale.ROOT);
        if (domain != null && !domain.isEmpty()) {
            String suffix = "@" + domain.toLowerCase(Locale.ROOT);
            if (name.endsWith(suffix) && name.length() > suffix.length()) {
                name = name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }
}
