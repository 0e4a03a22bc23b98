package dev.easgate.backends.imap;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * Where a mail server listens and how to secure the connection: {@code imap://host:port} (plain),
 * {@code imaps://host:port} (TLS from the start), {@code imap://host:port?starttls} (STARTTLS required); the same
 * for {@code smtp://}, {@code smtps://}. Default ports: 143, 993, 587 (submission), 465.
 *
 * @param protocol {@code imap} or {@code smtp}
 */
public record MailServerUrl(String protocol, String host, int port, Security security) {

    /** How the connection is secured. */
    public enum Security { PLAIN, STARTTLS, TLS }

    public MailServerUrl {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(security, "security");
    }

    /** Parses {@code url}, which must be of {@code protocol} (imap or smtp). */
    public static MailServerUrl parse(String url, String protocol) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: '" + url + "'", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls;
        if (scheme.equals(protocol)) {
            tls = false;
        } else if (scheme.equals(protocol + "s")) {
            tls = true;
        } else {
            throw new IllegalArgumentException("expected " + protocol + "://host:port or " + protocol
                    + "s://host:port, got '" + url + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in '" + url + "'");
        }
        String query = uri.getQuery() == null ? "" : uri.getQuery().toLowerCase(Locale.ROOT);
        boolean starttls = query.equals("starttls") || query.equals("starttls=required")
                || query.equals("starttls=true");
        if (!query.isEmpty() && !starttls) {
            throw new IllegalArgumentException("unknown URL option '" + uri.getQuery() + "' (only ?starttls)");
        }
        int port = uri.getPort() > 0 ? uri.getPort()
                : protocol.equals("imap") ? (tls ? 993 : 143) : (tls ? 465 : 587);
        return new MailServerUrl(protocol, uri.getHost(), port,
                tls ? Security.TLS : starttls ? Security.STARTTLS : Security.PLAIN);
    }

    /** The Jakarta Mail protocol name: imap, imaps, smtp or smtps. */
    public String mailProtocol() {
        return security == Security.TLS ? protocol + "s" : protocol;
    }

    /** Session properties for this server (timeouts in milliseconds). */
    public Properties sessionProperties(int timeoutMillis) {
        String p = "mail." + mailProtocol() + ".";
        Properties props = new Properties();
        props.setProperty(p + "host", host);
        props.setProperty(p + "port", Integer.toString(port));
        props.setProperty(p + "connectiontimeout", Integer.toString(timeoutMillis));
        props.setProperty(p + "timeout", Integer.toString(timeoutMillis));
        props.setProperty(p + "writetimeout", Integer.toString(timeoutMillis));
        // one timer for all connections' write deadlines, not a thread per connection (WriteTimeouts)
        props.put(p + "executor.writetimeout", WriteTimeouts.TIMER);
        if (security == Security.STARTTLS) {
            props.setProperty(p + "starttls.enable", "true");
            props.setProperty(p + "starttls.required", "true");
        }
        if (security != Security.PLAIN) {
            props.setProperty(p + "ssl.checkserveridentity", "true");
        }
        return props;
    }

    @Override
    public String toString() {
        return mailProtocol() + "://" + host + ":" + port + (security == Security.STARTTLS ? "?starttls" : "");
    }
}
