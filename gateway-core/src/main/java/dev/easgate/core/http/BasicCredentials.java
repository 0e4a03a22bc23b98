package dev.easgate.core.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The user and password of an {@code Authorization: Basic} header (RFC 7617). The toString never shows the
 * password.
 */
public record BasicCredentials(String user, String password) {

    /** The credentials, or {@code null} when the header is absent or not well-formed Basic. */
    public static BasicCredentials parse(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        return new BasicCredentials(loginName(decoded.substring(0, colon)), decoded.substring(colon + 1));
    }

    /** Phones often send {@code DOMAIN\\user}; the domain part means nothing to this gateway. */
    static String loginName(String user) {
        int backslash = user.lastIndexOf('\\');
        return (backslash >= 0 ? user.substring(backslash + 1) : user).strip();
    }

    @Override
    public String toString() {
        return "BasicCredentials[user=" + user + "]";
    }
}
