package dev.easgate.core.startup;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the start-up probes. */
public final class StartupOptions {
    public static final ConfigOption FAIL_FAST = new ConfigOption("fail-fast", "false",
            "exit with status 1 when a configured backend (imap.url, smtp.url, dav.url, directory.ldap.url, redis) "
                    + "does not answer at start; by default the node starts anyway and logs a WARN line for it");
    public static final ConfigOption PROBE_TIMEOUT = new ConfigOption("startup.probe-timeout", "5",
            "seconds each start-up probe of a backend may take (all run in parallel)");

    public static final List<ConfigOption> ALL = List.of(FAIL_FAST, PROBE_TIMEOUT);

    private StartupOptions() {
    }
}
