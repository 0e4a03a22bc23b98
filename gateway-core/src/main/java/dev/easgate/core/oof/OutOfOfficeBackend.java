package dev.easgate.core.oof;

import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.auth.SessionCredentials;
import dev.easgate.backends.imap.ImapCredentials;
import dev.easgate.backends.oof.OutOfOfficeStore;
import dev.easgate.backends.sieve.SieveOutOfOffice;
import dev.easgate.backends.sieve.SieveUrl;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.command.settings.StoredOutOfOffice;
import dev.easgate.core.config.GatewayConfig;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The Out of Office store of a node: with {@code sieve.url}, a Sieve vacation script managed as each user. Without
 * it, the IMAP backend answers Oof as disabled (nothing would send the replies) and the memory demo only stores the
 * settings in the state store.
 */
public final class OutOfOfficeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(OutOfOfficeBackend.class);

    /** The accounts (wrapped to remember passwords when the store needs them) and the store. */
    public record Parts(Accounts accounts, OutOfOfficeStore store) {
    }

    private OutOfOfficeBackend() {
    }

    /**
     * @param imapLogins the IMAP backend's logins (session passwords or the master user), {@code null} with
     *                   another backend: the accounts are then wrapped to remember each user's password
     * @param onStop     receives what the gateway closes when it stops (the scheduler)
     */
    public static Parts create(GatewayConfig config, Accounts accounts, ImapCredentials imapLogins, StateStore state,
                               Consumer<AutoCloseable> onStop) {
        String url = config.text(SieveOptions.URL);
        if (url.isEmpty()) {
            if (imapLogins != null) {
                LOG.info("out of office: disabled (Settings Oof answers Status 7) until sieve.url names a ManageSieve "
                        + "server");
                return new Parts(accounts, new DisabledOutOfOffice());
            }
            return new Parts(accounts, new StoredOutOfOffice(state));
        }
        SieveUrl sieve = SieveUrl.parse(url);
        ImapCredentials logins = imapLogins;
        Accounts wrapped = accounts;
        if (logins == null) {
            SessionCredentials sessions = new SessionCredentials(accounts, 100_000,
                    config.seconds(SieveOptions.SESSION));
            wrapped = sessions;
            logins = user -> sessions.session(user)
                    .map(session -> new ImapCredentials.Login(session.account().user(), session.password()));
        }
        Scheduler scheduler = Schedulers.newBoundedElastic((int) config.number(SieveOptions.THREADS), 10_000,
                "easgate-sieve");
        onStop.accept(scheduler::dispose);
        LOG.info("out of office: vacation scripts on {} as each user", sieve);
        return new Parts(wrapped, new SieveOutOfOffice(sieve, logins, new SieveOutOfOffice.Replies(
                (int) config.number(SieveOptions.REPLY_DAYS), config.text(SieveOptions.REPLY_SUBJECT)),
                scheduler, config.seconds(SieveOptions.TIMEOUT)));
    }
}
