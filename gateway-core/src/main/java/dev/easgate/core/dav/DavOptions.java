package dev.easgate.core.dav;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the CalDAV/CardDAV store (calendars, contacts, tasks). */
public final class DavOptions {
    public static final ConfigOption URL = new ConfigOption("dav.url", "",
            "CalDAV/CardDAV server for calendars, contacts and tasks, e.g. http://127.0.0.1:5232/ (a user's "
                    + "principal is <url><login>/); empty: the mail store's own PIM folders");
    public static final ConfigOption LOGIN = new ConfigOption("dav.login", "user",
            "the name the gateway logs in to the DAV server with, and the user's principal: 'user' (the login "
                    + "name as the accounts give it) or 'address' (the user's primary address)");
    public static final ConfigOption SESSION = new ConfigOption("dav.session-seconds", "7200",
            "without dav.username: how long after a user's last login the gateway logs in to the DAV server as "
                    + "them with the password their device sent (held in memory only, never on disk)");
    public static final ConfigOption USERNAME = new ConfigOption("dav.username", "",
            "a service account the gateway uses on the DAV server for every user instead of their own login "
                    + "(needs read/write on every user's collections); empty: each user's own login");
    public static final ConfigOption PASSWORD = new ConfigOption("dav.password", "",
            "password of dav.username");
    public static final ConfigOption CACHE_USERS = new ConfigOption("dav.cache-users", "10000",
            "most users whose DAV collections, ETags and sync tokens (and, without dav.username, passwords) one "
                    + "node keeps; the least recently used are forgotten first and rediscover on their next request");
    public static final ConfigOption CACHE_IDLE = new ConfigOption("dav.cache-idle-seconds", "3600",
            "a user's DAV state is forgotten this long after their last request (a device then syncing with a "
                    + "watermark this node no longer knows is answered resetRequired)");
    public static final ConfigOption WATCH_INTERVAL = new ConfigOption("dav.watch-interval", "30",
            "seconds between sync-token polls of the DAV collections (servers cannot push); 0: off");
    public static final ConfigOption WATCH_MAX = new ConfigOption("dav.watch-max", "10000",
            "most users whose collections one node polls per interval");

    public static final ConfigOption OTHER_PRINCIPALS = new ConfigOption("dav.other-principals", "false",
            "also offer the collections of other users' principals that the DAV root lists to the user (servers "
                    + "whose sharing is rights on another user's collection, e.g. Radicale's rights file; Nextcloud "
                    + "and SOGo list shares in the user's own home and need no such look): one PROPFIND of the root "
                    + "and one per such principal at each discovery; per-user logins only (empty dav.username)");

    public static final List<ConfigOption> ALL = List.of(URL, LOGIN, SESSION, USERNAME, PASSWORD, CACHE_USERS,
            CACHE_IDLE, WATCH_INTERVAL, WATCH_MAX, OTHER_PRINCIPALS);

    private DavOptions() {
    }
}
