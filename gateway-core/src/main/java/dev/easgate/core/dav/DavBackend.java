package dev.easgate.core.dav;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.auth.SessionCredentials;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ParkedUsers;
import dev.easgate.backends.dav.CompositeMailStore;
import dev.easgate.backends.dav.DavClient;
import dev.easgate.backends.dav.DavCredentials;
import dev.easgate.backends.dav.DavStore;
import dev.easgate.backends.dav.DavWatcher;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.startup.BackendProbes;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code dav.url} set, the gateway's store becomes a composite: mail folders from the mail store (memory or
 * IMAP), calendars, contacts and tasks from CalDAV/CardDAV (the mail store's own PIM folders are hidden). The
 * gateway logs in to the DAV server as each user with the password their device authenticated with (the accounts
 * are wrapped in {@link SessionCredentials} to hold it), or with the service account {@code dav.username} when set.
 */
public final class DavBackend {
    private static final Logger LOG = LoggerFactory.getLogger(DavBackend.class);

    /** What the DAV backend makes of a node's accounts and store (both unchanged without {@code dav.url}). */
    public record Parts(Accounts accounts, MailStore store) {
    }

    private DavBackend() {
    }

    /**
     * The accounts and mail store themselves when {@code dav.url} is empty, else the composite (and its watcher when
     * enabled, handed to {@code closeOnStop} so that the gateway stops it) and, without a service account, the
     * accounts that remember each user's password for the DAV logins.
     */
    public static Parts wrap(GatewayConfig config, Accounts accounts, MailStore mail, ChangeBus bus,
                             ParkedUsers parked, Clock clock, Consumer<AutoCloseable> closeOnStop) {
        String url = config.text(DavOptions.URL);
        if (url.isEmpty()) {
            return new Parts(accounts, mail);
        }
        int maxUsers = (int) config.number(DavOptions.CACHE_USERS);
        Function<Account, String> loginName = switch (config.text(DavOptions.LOGIN)) {
            case "user" -> Account::user;
            case "address" -> Account::primaryAddress;
            default -> throw new IllegalArgumentException("dav.login must be user or address, got '"
                    + config.text(DavOptions.LOGIN) + "'");
        };
        String serviceUser = config.text(DavOptions.USERNAME);
        DavCredentials credentials;
        String logins;
        if (serviceUser.isEmpty()) {
            SessionCredentials sessions = new SessionCredentials(accounts, maxUsers,
                    config.seconds(DavOptions.SESSION));
            accounts = sessions;
            credentials = user -> sessions.session(user).map(session -> {
                String name = loginName.apply(session.account());
                return new DavCredentials.Login(name, name, session.password());
            });
            logins = "each user's own login";
        } else {
            if (!config.text(DavOptions.LOGIN).equals("user")) {
                // a service account reaches a user's principal by their user name; their address is not known here
                throw new IllegalArgumentException("dav.login=address needs per-user logins (empty dav.username)");
            }
            credentials = DavCredentials.service(serviceUser, config.text(DavOptions.PASSWORD));
            logins = "the service account";
        }
        boolean otherPrincipals = config.flag(DavOptions.OTHER_PRINCIPALS);
        if (otherPrincipals && !serviceUser.isEmpty()) {
            // a service account's root listing shows every principal it may read, not the user's shares
            throw new IllegalArgumentException("dav.other-principals needs per-user logins (empty dav.username)");
        }
        DavStore dav = new DavStore(new DavClient(Duration.ofSeconds(30)), credentials, URI.create(url), clock,
                maxUsers, config.seconds(DavOptions.CACHE_IDLE), otherPrincipals);
        Duration interval = config.seconds(DavOptions.WATCH_INTERVAL);
        if (!interval.isZero()) {
            // polls the collections parked users watch; its timer holds no thread
            closeOnStop.accept(new DavWatcher(dav, bus, parked, interval,
                    (int) config.number(DavOptions.WATCH_MAX)));
        }
        LOG.info("calendars, contacts and tasks on {} as {} (watch every {} s)",
                BackendProbes.withoutSecrets(URI.create(url)), logins, interval.toSeconds());
        return new Parts(accounts, new CompositeMailStore(mail, dav));
    }
}
