package dev.easgate.core.oof;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of Out of Office through Sieve (ManageSieve, RFC 5804). */
public final class SieveOptions {
    public static final ConfigOption URL = new ConfigOption("sieve.url", "",
            "ManageSieve server for Out of Office, sieve://HOST:4190 (STARTTLS when offered) or "
                    + "sieve://HOST:4190?starttls (required): Settings Oof writes a vacation script there as the "
                    + "user, with the password their device sent (or the IMAP master user); empty: with backend=imap "
                    + "Oof answers Status 7 (disabled), the memory demo only stores the settings");
    public static final ConfigOption TIMEOUT = new ConfigOption("sieve.timeout-seconds", "30",
            "connect and read timeout of ManageSieve in seconds");
    public static final ConfigOption THREADS = new ConfigOption("sieve.threads", "8",
            "threads of the bounded scheduler that runs the blocking ManageSieve calls");
    public static final ConfigOption SESSION = new ConfigOption("sieve.session-seconds", "7200",
            "with a backend other than imap: how long after a user's last login the gateway may log in to "
                    + "ManageSieve with the password their device sent (held in memory only)");
    public static final ConfigOption REPLY_DAYS = new ConfigOption("sieve.reply-days", "1",
            "the vacation script's :days: at most one automatic reply per sender in this many days");
    public static final ConfigOption REPLY_SUBJECT = new ConfigOption("sieve.reply-subject", "Out of office",
            "subject of the automatic replies");

    public static final List<ConfigOption> ALL = List.of(URL, TIMEOUT, THREADS, SESSION, REPLY_DAYS, REPLY_SUBJECT);

    private SieveOptions() {
    }
}
