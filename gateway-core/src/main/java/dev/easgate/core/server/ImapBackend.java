package dev.easgate.core.server;

import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ParkedUsers;
import dev.easgate.backends.imap.ImapAccounts;
import dev.easgate.backends.imap.ImapChangeWatcher;
import dev.easgate.backends.imap.ImapConnections;
import dev.easgate.backends.imap.ImapCredentials;
import dev.easgate.backends.imap.ImapMailStore;
import dev.easgate.backends.imap.MailServerUrl;
import dev.easgate.core.command.mail.OutgoingMail;
import dev.easgate.core.command.mail.SmtpSubmission;
import dev.easgate.core.config.ConfigOption;
import dev.easgate.core.config.GatewayConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code --backend=imap}: mail in an IMAP server, accounts checked by IMAP login, SMTP submission for outgoing mail,
 * the fallback change watcher; all blocking work on one bounded scheduler ({@code easgate-blocking}).
 */
public final class ImapBackend {
    public static final ConfigOption IMAP_URL = new ConfigOption("imap.url", "",
            "with backend=imap: the IMAP server, imap://HOST:PORT, imaps://HOST:PORT or imap://HOST:PORT?starttls");
    public static final ConfigOption IMAP_DOMAIN = new ConfigOption("imap.domain", "",
            "with backend=imap: mail domain of logins that are not addresses (their address is login@domain)");
    public static final ConfigOption IMAP_POOL_PER_USER = new ConfigOption("imap.pool-per-user", "3",
            "with backend=imap: most IMAP connections open for one user");
    public static final ConfigOption IMAP_POOL_MAX = new ConfigOption("imap.pool-max", "auto",
            "with backend=imap: most IMAP connections open on this node; auto: watcher.connections + "
                    + "100 (800 with the defaults; a stock Dovecot runs at most 1024 imap processes and its stats "
                    + "service 1000 clients, one per process: lower watcher.connections when it serves other "
                    + "clients too, raise Dovecot's limits to hold more)");
    public static final ConfigOption IMAP_LOGIN_CONCURRENCY = new ConfigOption("imap.login-concurrency",
            Integer.toString(ImapConnections.DEFAULT_LOGIN_CONCURRENCY),
            "with backend=imap: most IMAP logins in progress at once on this node; others wait for one to end (at "
                    + "most imap.timeout-seconds), so a server slow to take logins serves them in turn instead of "
                    + "all of them timing out");
    public static final ConfigOption IMAP_IDLE = new ConfigOption("imap.idle-seconds", "300",
            "with backend=imap: an unused IMAP connection is closed after this many seconds");
    public static final ConfigOption IMAP_TIMEOUT = new ConfigOption("imap.timeout-seconds", "30",
            "with backend=imap: connect and read timeout of IMAP and SMTP in seconds");
    public static final ConfigOption IMAP_THREADS = new ConfigOption("imap.threads", "64",
            "with backend=imap: threads of the bounded scheduler that runs the blocking IMAP/SMTP calls");
    public static final ConfigOption IMAP_MASTER_USER = new ConfigOption("imap.master-user", "",
            "with backend=imap: a Dovecot master user to act for users (login user*master); empty: the user's "
                    + "own password, kept in memory while their session lives");
    public static final ConfigOption IMAP_MASTER_PASSWORD = new ConfigOption("imap.master-password", "",
            "with backend=imap: the master user's password");
    public static final ConfigOption AUTH_CACHE = new ConfigOption("auth.cache-seconds", "300",
            "with backend=imap: a verified password (as a salted hash) is accepted this long without an IMAP login");
    public static final ConfigOption SESSION = new ConfigOption("imap.session-seconds", "7200",
            "with backend=imap: how long after a user's last login the gateway may act for them (Sync, watcher, "
                    + "SendMail) with the password held in memory");
    public static final ConfigOption SMTP_URL = new ConfigOption("smtp.url", "",
            "with backend=imap: SMTP submission, smtp://HOST:PORT?starttls, smtps://HOST:465 or smtp://HOST:PORT");
    public static final ConfigOption SMTP_USER = new ConfigOption("smtp.user", "",
            "with backend=imap: one relay login for all users; empty: each user's own login");
    public static final ConfigOption SMTP_PASSWORD = new ConfigOption("smtp.password", "",
            "with backend=imap: the relay login's password");
    public static final ConfigOption WATCHER_INTERVAL = new ConfigOption("watcher.interval", "20",
            "with backend=imap: push without a server plugin: seconds between two checks (STATUS HIGHESTMODSEQ) of "
                    + "a parked user's watched folders, users spread over the interval; users without a parked "
                    + "device are never checked; 0: off (e.g. with the Dovecot push script installed)");
    public static final ConfigOption WATCHER_MAX_FOLDERS = new ConfigOption("watcher.max-folders", "10000",
            "with backend=imap: most folders the change watcher checks per round on this node");
    public static final ConfigOption WATCHER_CONNECTIONS = new ConfigOption("watcher.connections", "700",
            "with backend=imap: most parked users whose IMAP connection stays open between two checks, on this "
                    + "node (first come; checked every watcher.interval); the others log in for each check and "
                    + "out after it. One Dovecot process each: past ~700 per Dovecot raise its limits (README)");
    public static final ConfigOption WATCHER_LOGINS = new ConfigOption("watcher.logins-per-second", "10",
            "with backend=imap: most checks per second that need an IMAP login (users beyond "
                    + "watcher.connections), on this node: with more such users than that allows per interval, "
                    + "their round lasts longer than watcher.interval; 0: no limit");
    public static final ConfigOption WATCHER_IDLE_RENEWAL = new ConfigOption("watcher.idle-renewal", "1500",
            "with backend=imap: seconds after which a held connection's IDLE is ended and started again (DONE, IDLE; "
                    + "RFC 2177: at most 29 minutes, 1740). A hibernating Dovecot 2.3 holds back a change that came "
                    + "in the last half second before it hibernated the connection until the connection next wakes: "
                    + "this bounds how late such a change is seen, at one DONE and IDLE per held user per renewal "
                    + "(README, Push from a stock IMAP server)");

    public static final List<ConfigOption> ALL = List.of(IMAP_URL, IMAP_DOMAIN, IMAP_POOL_PER_USER, IMAP_POOL_MAX,
            IMAP_LOGIN_CONCURRENCY, IMAP_IDLE, IMAP_TIMEOUT, IMAP_THREADS, IMAP_MASTER_USER, IMAP_MASTER_PASSWORD, AUTH_CACHE, SESSION,
            SMTP_URL, SMTP_USER, SMTP_PASSWORD, WATCHER_INTERVAL, WATCHER_MAX_FOLDERS, WATCHER_CONNECTIONS,
            WATCHER_LOGINS, WATCHER_IDLE_RENEWAL);

    /** Connections beyond the held places with {@code imap.pool-max=auto}: Syncs, logins, the login round. */
    static final int POOL_ROOM = 100;

    /** What the backend contributes to a node. */
    public record Parts(ImapAccounts accounts, ImapMailStore mailStore, ChangeBus bus, OutgoingMail outgoing) {
    }

    private ImapBackend() {
    }

    /** Builds the backend; {@code bus} is wrapped so that closing the node's bus also closes the backend. */
    public static Parts create(GatewayConfig config, ChangeBus bus, Clock clock) {
        String imapUrl = config.text(IMAP_URL);
        if (imapUrl.isEmpty()) {
            throw new IllegalArgumentException("backend=imap needs --imap.url=imap://HOST:PORT");
        }
        MailServerUrl imap = MailServerUrl.parse(imapUrl, "imap");
        String smtpUrl = config.text(SMTP_URL);
        MailServerUrl smtp = smtpUrl.isEmpty() ? null : MailServerUrl.parse(smtpUrl, "smtp");
        Duration timeout = config.seconds(IMAP_TIMEOUT);
        int threads = (int) config.number(IMAP_THREADS);
        Scheduler scheduler = Schedulers.newBoundedElastic(threads, 100_000, "easgate-blocking");

        ImapAccounts.SessionSource sessions = ImapAccounts.sessionSource();
        String master = config.text(IMAP_MASTER_USER);
        ImapCredentials imapLogins = master.isEmpty() ? sessions
                : ImapCredentials.master(master, config.text(IMAP_MASTER_PASSWORD), "*");
        ImapConnections connections = new ImapConnections(imap, imapLogins, (int) config.number(IMAP_POOL_PER_USER),
                poolMax(config), config.seconds(IMAP_IDLE), timeout, (int) config.number(IMAP_LOGIN_CONCURRENCY));
        ImapAccounts accounts = new ImapAccounts(connections, scheduler, config.text(IMAP_DOMAIN),
                config.seconds(AUTH_CACHE), config.seconds(SESSION), Duration.ofMillis(500), clock);
        sessions.bind(accounts);
        ImapMailStore store = new ImapMailStore(connections, scheduler);

        OutgoingMail outgoing = null;
        if (smtp != null) {
            String relayUser = config.text(SMTP_USER);
            ImapCredentials smtpLogins = relayUser.isEmpty() ? accounts
                    : user -> Optional.of(new ImapCredentials.Login(relayUser, config.text(SMTP_PASSWORD)));
            outgoing = new SmtpSubmission(smtp, smtpLogins, scheduler, (int) timeout.toMillis());
        }
        Disposable housekeeping = Flux.interval(Duration.ofSeconds(30), Schedulers.parallel())
                .subscribe(tick -> scheduler.schedule(() -> {
                    connections.evictIdle();
                    accounts.expire();
                }));
        ChangeBus closing = new ClosingBus(bus, () -> {
            housekeeping.dispose();
            connections.close();
            scheduler.dispose();
        });
        return new Parts(accounts, store, closing, outgoing);
    }

    /**
     * {@code imap.pool-max}, or with {@code auto} the held places plus {@link #POOL_ROOM}: the provider sets one
     * number, {@code watcher.connections}, and the pool follows, so held connections are never what a full pool
     * evicts first (an explicit pool-max below the held places would close them again and again).
     */
    static int poolMax(GatewayConfig config) {
        String text = config.text(IMAP_POOL_MAX);
        long max = text.equalsIgnoreCase("auto") ? config.number(WATCHER_CONNECTIONS) + POOL_ROOM
                : config.number(IMAP_POOL_MAX);
        if (max < 1 || max > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("imap.pool-max must be a positive number or auto, got '" + text + "'");
        }
        return (int) max;
    }

    /**
     * The most connections this backend opens at once on a node, 0 for another backend: the IMAP pool
     * ({@code imap.pool-max}, held watcher connections included) and one SMTP submission per blocking thread.
     * The automatic {@code http.max-connections} keeps descriptors for them.
     */
    public static int connectionsAtMost(GatewayConfig config) {
        if (!config.backend().equals("imap")) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, (long) poolMax(config) + config.number(IMAP_THREADS));
    }

    /**
     * The change watcher for the users parked on this node (the hub's view), started: on by default, so a stock
     * IMAP server pushes; empty when {@code watcher.interval} is 0. The gateway closes it before the bus.
     */
    public static Optional<ImapChangeWatcher> watcher(GatewayConfig config, ImapMailStore store, ChangeBus bus,
                                                      ParkedUsers parked) {
        Duration interval = config.seconds(WATCHER_INTERVAL);
        if (interval.isZero() || interval.isNegative()) {
            return Optional.empty();
        }
        return Optional.of(new ImapChangeWatcher(store, bus, parked, new ImapChangeWatcher.Settings(interval,
                (int) config.number(WATCHER_MAX_FOLDERS), (int) config.number(WATCHER_CONNECTIONS),
                config.number(WATCHER_LOGINS), config.seconds(WATCHER_IDLE_RENEWAL))).start());
    }

    /** The node's bus, closing the backend after itself. */
    private record ClosingBus(ChangeBus delegate, Runnable onClose) implements ChangeBus {
        @Override
        public reactor.core.publisher.Mono<Void> publish(dev.easgate.backends.bus.BusEvent event) {
            return delegate.publish(event);
        }

        @Override
        public reactor.core.publisher.Mono<Disposable> listen(String user,
                                                              dev.easgate.backends.bus.BusListener listener) {
            return delegate.listen(user, listener);
        }

        @Override
        public boolean connected() {
            return delegate.connected();
        }

        @Override
        public void close() {
            try {
                delegate.close();
            } finally {
                onClose.run();
            }
        }
    }
}
