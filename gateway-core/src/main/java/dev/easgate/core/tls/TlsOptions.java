package dev.easgate.core.tls;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of TLS on the gateway's own listener. */
public final class TlsOptions {
    public static final ConfigOption CERT = new ConfigOption("tls.cert", "",
            "PEM file with the server certificate chain (leaf first); with tls.key the EAS port speaks HTTPS "
                    + "(TLS 1.2 and 1.3 only); empty: plain HTTP (e.g. behind a TLS reverse proxy)");
    public static final ConfigOption KEY = new ConfigOption("tls.key", "",
            "PEM file with the certificate's private key, unencrypted PKCS#8 ('BEGIN PRIVATE KEY', as openssl "
                    + "genpkey writes it)");
    public static final ConfigOption RELOAD_INTERVAL = new ConfigOption("tls.reload-interval", "10",
            "seconds between checks of tls.cert/tls.key for changes; changed files are loaded without a restart "
                    + "(new connections get the new certificate; a bad file keeps the old one and logs why)");

    public static final List<ConfigOption> ALL = List.of(CERT, KEY, RELOAD_INTERVAL);

    private TlsOptions() {
    }
}
