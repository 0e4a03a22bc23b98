package dev.easgate.core.logging;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the gateway's logs. */
public final class LogOptions {
    public static final ConfigOption FORMAT = new ConfigOption("log.format", "text",
            "'text': one human-readable line per event; 'json': one JSON object per line (timestamp, level, "
                    + "logger, message, MDC) for log shippers");
    public static final ConfigOption AUDIT_FILE = new ConfigOption("log.audit-file", "",
            "file the audit log (logger easgate.audit: one line per admin action) is appended to; empty: with "
                    + "the other logs on stdout");

    public static final List<ConfigOption> ALL = List.of(FORMAT, AUDIT_FILE);

    private LogOptions() {
    }
}
