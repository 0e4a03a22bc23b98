package dev.easgate.core.startup;

import java.util.Objects;

/**
 * One backend to contact at start.
 *
 * @param kind  what it is for: imap, smtp, dav, ldap, redis
 * @param url   where, as logged: scheme, host, port and path, never user or password
 * @param probe how to ask it
 */
public record ProbeTarget(String kind, String url, Probe probe) {
    public ProbeTarget {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(probe, "probe");
    }

    @Override
    public String toString() {
        return kind + " " + url;
    }
}
