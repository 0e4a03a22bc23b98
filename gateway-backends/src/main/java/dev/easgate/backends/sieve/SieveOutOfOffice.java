package dev.easgate.backends.sieve;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.imap.ImapCredentials;
import dev.easgate.backends.logging.LogText;
import dev.easgate.backends.oof.OofSettings;
import dev.easgate.backends.oof.OutOfOfficeException;
import dev.easgate.backends.oof.OutOfOfficeStore;
import dev.easgate.backends.sieve.ManageSieveConnection.Script;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Out of Office as a Sieve vacation script, managed over ManageSieve as the user (their own login, as for IMAP).
 *
 * <p>Never clobbers the user's rules: the gateway writes only its own scripts ({@value VacationScript#NAME} and
 * the wrapper {@value VacationScript#WRAPPER}). Turning replies on activates the vacation script when the user has
 * no active script (or it is ours already); when the user has one of their own, it activates the wrapper, which
 * includes the vacation script and then theirs. Turning them off (OofState 0) rewrites the vacation script without
 * action (its header keeps the messages for a later Get) and gives back what was active before: the user's script,
 * or none. A Get reports state 0 when neither of ours is active (the user changed their rules elsewhere).
 */
public final class SieveOutOfOffice implements OutOfOfficeStore {
    private static final Logger LOG = LoggerFactory.getLogger(SieveOutOfOffice.class);

    /**
     * What the replies look like.
     *
     * @param days    vacation's :days, the least days between two replies to one sender
     * @param subject the replies' subject
     */
    public record Replies(int days, String subject) {
        public Replies {
            if (days < 1) {
                throw new IllegalArgumentException("days must be at least 1, got " + days);
            }
            Objects.requireNonNull(subject, "subject");
        }
    }

    private final SieveUrl url;
    private final ImapCredentials credentials;
    private final Replies replies;
    private final Scheduler scheduler;
    private final Duration timeout;
    private final SSLSocketFactory tls;

    /**
     * @param credentials the login of a user (their session's password, as IMAP logs in)
     * @param scheduler   the bounded scheduler of blocking calls
     */
    public SieveOutOfOffice(SieveUrl url, ImapCredentials credentials, Replies replies, Scheduler scheduler,
                            Duration timeout) {
        this(url, credentials, replies, scheduler, timeout, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** The same with the TLS of {@code tls} (tests trusting their own server's certificate). */
    SieveOutOfOffice(SieveUrl url, ImapCredentials credentials, Replies replies, Scheduler scheduler,
                     Duration timeout, SSLSocketFactory tls) {
        this.tls = Objects.requireNonNull(tls, "tls");
        this.url = Objects.requireNonNull(url, "url");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.replies = Objects.requireNonNull(replies, "replies");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public Mono<OofSettings> get(Account account) {
        return Mono.fromCallable(() -> session(account, this::read)).subscribeOn(scheduler);
    }

    @Override
    public Mono<Void> set(Account account, OofSettings settings) {
        return Mono.fromCallable(() -> session(account, sieve -> write(sieve, account, settings)))
                .subscribeOn(scheduler).then();
    }

    private interface Work<T> {
        T run(ManageSieveConnection sieve) throws IOException;
    }

    /** Runs {@code work} in a session as the user; failures become one log line and an OutOfOfficeException. */
    private <T> T session(Account account, Work<T> work) {
        ImapCredentials.Login login = credentials.login(account.user()).orElseThrow(() -> fail(account,
                OutOfOfficeException.Reason.UNAVAILABLE, "no login for the user (no live session)", null));
        try (ManageSieveConnection sieve = ManageSieveConnection.open(url, login.name(), login.password(), timeout,
                tls)) {
            return work.run(sieve);
        } catch (ManageSieveException e) {
            throw fail(account, e.refused() ? OutOfOfficeException.Reason.REFUSED
                    : OutOfOfficeException.Reason.UNAVAILABLE, e.getMessage(), e);
        } catch (IOException e) {
            throw fail(account, OutOfOfficeException.Reason.UNAVAILABLE, e.toString(), e);
        }
    }

    private OutOfOfficeException fail(Account account, OutOfOfficeException.Reason reason, String why,
                                      Throwable cause) {
        LOG.warn("ManageSieve {} for user={}: {}", url, LogText.escape(account.user()), LogText.escape(why));
        return new OutOfOfficeException(reason, "ManageSieve " + url + ": " + why, cause);
    }

    private OofSettings read(ManageSieveConnection sieve) throws IOException {
        List<Script> scripts = sieve.listScripts();
        if (scripts.stream().noneMatch(s -> s.name().equals(VacationScript.NAME))) {
            return OofSettings.OFF;
        }
        OofSettings stored = sieve.getScript(VacationScript.NAME).flatMap(VacationScript::read)
                .orElse(OofSettings.OFF);
        boolean ours = active(scripts).filter(name -> name.equals(VacationScript.NAME)
                || name.equals(VacationScript.WRAPPER)).isPresent();
        return ours ? stored : stored.withState(0, null, null);
    }

    private Void write(ManageSieveConnection sieve, Account account, OofSettings settings) throws IOException {
        List<Script> scripts = sieve.listScripts();
        Optional<String> active = active(scripts);
        String address = account.primaryAddress();
        String domain = address.substring(address.lastIndexOf('@') + 1);
        sieve.putScript(VacationScript.NAME, VacationScript.write(settings,
                new VacationScript.Params(List.of(address), domain, replies.days(), replies.subject())));
        boolean wrapperActive = active.filter(VacationScript.WRAPPER::equals).isPresent();
        if (settings.state() != 0) {
            if (active.isEmpty() || active.get().equals(VacationScript.NAME)) {
                sieve.setActive(VacationScript.NAME);
            } else if (!wrapperActive) {
                // the user's own script stays as it is and runs after ours
                sieve.putScript(VacationScript.WRAPPER, VacationScript.wrapper(active.get()));
                sieve.setActive(VacationScript.WRAPPER);
            }
        } else if (active.filter(VacationScript.NAME::equals).isPresent()) {
            sieve.setActive("");
        } else if (wrapperActive) {
            Optional<String> theirs = sieve.getScript(VacationScript.WRAPPER).flatMap(VacationScript::wrapped)
                    .filter(name -> scripts.stream().anyMatch(s -> s.name().equals(name)));
            sieve.setActive(theirs.orElse(""));
            sieve.deleteScript(VacationScript.WRAPPER);
        }
        return null;
    }

    private static Optional<String> active(List<Script> scripts) {
        return scripts.stream().filter(Script::active).map(Script::name).findFirst();
    }

    @Override
    public String toString() {
        return "SieveOutOfOffice[" + url + "]";
    }
}
