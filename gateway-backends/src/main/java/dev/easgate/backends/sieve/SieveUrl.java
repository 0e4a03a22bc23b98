package dev.easgate.backends.sieve;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where ManageSieve listens: {@code sieve://HOST[:PORT]} (port 4190, RFC 5804 section 1.8; STARTTLS whenever the
 * server offers it) or {@code sieve://HOST:PORT?starttls} (STARTTLS required: no login without it).
 *
 * @param requireTls whether a server that offers no STARTTLS is refused
 */
public record SieveUrl(String host, int port, boolean requireTls) {
    public static final int DEFAULT_PORT = 4190;

    public SieveUrl {
        Objects.requireNonNull(host, "host");
    }

    public static SieveUrl parse(String url) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: '" + url + "'", e);
        }
        if (!"sieve".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("expected sieve://HOST:PORT, got '" + url + "'");
        }
        String query = uri.getQuery() == null ? "" : uri.getQuery().toLowerCase(Locale.ROOT);
        if (!query.isEmpty() && !query.equals("starttls")) {
            throw new IllegalArgumentException("unknown URL option '" + uri.getQuery() + "' (only ?starttls)");
        }
        return new SieveUrl(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORT, !query.isEmpty());
    }

    @Override
    public String toString() {
        return "sieve://" + host + ":" + port + (requireTls ? "?starttls" : "");
    }
}
