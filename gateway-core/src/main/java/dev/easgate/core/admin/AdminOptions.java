package dev.easgate.core.admin;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the admin API (read with {@code GatewayConfig.text/number}). */
public final class AdminOptions {
    public static final ConfigOption PORT = new ConfigOption("admin.port", "",
            "TCP port of the admin API (devices, wipe, resync, block, debug); empty: the admin API is off. "
                    + "Needs admin.token");
    public static final ConfigOption BIND = new ConfigOption("admin.bind", "127.0.0.1",
            "address the admin API listens on; it speaks plain HTTP, so keep it on loopback (a node bound beyond "
                    + "loopback logs a WARN at start) or a management network behind a TLS-terminating proxy");
    public static final ConfigOption TOKEN = new ConfigOption("admin.token", "",
            "bearer token every admin API request must carry (Authorization: Bearer TOKEN)");
    public static final ConfigOption BLOCKLIST_REFRESH = new ConfigOption("admin.blocklist-refresh", "10",
            "seconds between reloads of the block list from the state store (other nodes' changes arrive within "
                    + "this time)");

    public static final List<ConfigOption> ALL = List.of(PORT, BIND, TOKEN, BLOCKLIST_REFRESH);

    private AdminOptions() {
    }
}
