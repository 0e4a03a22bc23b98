package dev.easgate.core.dav;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the CalDAV/CardDAV store (calendars, contacts, tasks). */
public final class DavOptions {
    public static final ConfigOption URL = new ConfigOption("dav.url", "",
            "CalDAV/CardDAV server for calendars, contacts and tasks, e.g. http://127.0.0.1:5232/ (a user's "
                    + "principal is <url><user>/); empty: the mail store's own PIM folders");
    public static final ConfigOption USERNAME = new ConfigOption("dav.username", "",
            "service account the gateway uses on the DAV server (needs read/write on every user's collections)");
    public static final ConfigOption PASSWORD = new ConfigOption("dav.password", "",
            "password of dav.username");
    public static final ConfigOption WATCH_INTERVAL = new ConfigOption("dav.watch-interval", "30",
            "seconds between sync-token polls of the DAV collections (servers cannot push); 0: off");
    public static final ConfigOption WATCH_MAX = new ConfigOption("dav.watch-max", "10000",
            "most users whose collections one node polls per interval");

    public static final List<ConfigOption> ALL = List.of(URL, USERNAME, PASSWORD, WATCH_INTERVAL, WATCH_MAX);

    private DavOptions() {
    }
}
