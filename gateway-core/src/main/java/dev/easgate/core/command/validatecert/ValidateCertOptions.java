package dev.easgate.core.command.validatecert;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** The options of ValidateCert. */
public final class ValidateCertOptions {
    public static final ConfigOption TRUST_STORE = new ConfigOption("validatecert.truststore", "",
            "PEM bundle of the CA certificates ValidateCert trusts; empty: the JDK's cacerts");

    public static final List<ConfigOption> ALL = List.of(TRUST_STORE);

    private ValidateCertOptions() {
    }
}
