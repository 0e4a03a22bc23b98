package dev.easgate.backends.imap;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.auth.LoginNames;
import dev.easgate.backends.logging.LogText;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Accounts of an IMAP server, the provider's one source of truth: EAS Basic credentials are checked by an IMAP
 * login (on the bounded blocking scheduler; the login's connection joins the user's pool).
 *
 * <p>A verified login is remembered for {@code verifiedFor} as a salted SHA-256 of the password, so a device's
 * requests within that time need no IMAP round trip. The gateway must also log in to IMAP and SMTP <em>for</em> the
 * user later (Sync, a Ping's fallback watcher, SendMail), so the password itself is kept in this process's memory
 * (never on disk, never logged) for {@code sessionFor} after the user's last successful authentication; a
 * deployment that prefers not to hold passwords configures a Dovecot master user instead
 * ({@link ImapCredentials#master}). A failed login answers empty after a delay that grows with the user's
 * consecutive failures (up to 5 s): guessing is slowed down per user; per remote address it is the HTTP front's job.
 *
 * <p>Accounts: the user name is the IMAP login; the address is the login when it is one, else
 * {@code login@domain}. {@link #byAddress} knows the addresses of users seen logging in and, for the configured
 * domain, {@code local@domain} as login {@code local}.
 */
public final class ImapAccounts implements Accounts, ImapCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(ImapAccounts.class);
    private static final Duration MAX_FAILURE_DELAY = Duration.ofSeconds(5);

    private final ImapConnections connections;
    private final Scheduler scheduler;
    private final String domain;
    private final Duration verifiedFor;
    private final Duration sessionFor;
    private final Duration failureDelay;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, Account> byAddress = new ConcurrentHashMap<>();
    /** Password checks beyond the login concurrency wait here without a thread (see LoginGate). */
    private final LoginGate checks;

    /**
     * @param connections  checks logins; must take its credentials from this object (see {@link #login})
     * @param domain       mail domain of logins that are not addresses
     * @param verifiedFor  how long a verified password is accepted without asking the server again
     * @param sessionFor   how long the password is kept in memory for logins on the user's behalf
     * @param failureDelay delay per consecutive failure of a user (capped at 5 s)
     */
    public ImapAccounts(ImapConnections connections, Scheduler scheduler, String domain, Duration verifiedFor,
                        Duration sessionFor, Duration failureDelay, Clock clock) {
        this.connections = connections;
        this.scheduler = scheduler;
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.verifiedFor = verifiedFor;
        this.sessionFor = sessionFor;
        this.failureDelay = failureDelay;
        this.clock = clock;
        this.checks = new LoginGate(connections.loginConcurrency(), connections.timeout(), Schedulers.parallel());
    }

    /**
     * The credential source to build the {@link ImapConnections} with, before this object exists: it reads the
     * sessions of the accounts object bound later with {@link SessionSource#bind}.
     */
    public static SessionSource sessionSource() {
        return new SessionSource();
    }

    /** Late binding of the connections' credentials to the accounts that verify them. */
    public static final class SessionSource implements ImapCredentials {
        private volatile ImapCredentials target = user -> Optional.empty();

        public void bind(ImapCredentials accounts) {
            this.target = accounts;
        }

        @Override
        public Optional<Login> login(String user) {
            return target.login(user);
        }
    }

    @Override
    public Mono<Account> authenticate(String user, String password) {
        if (user.isBlank() || password.isEmpty() || user.length() > 320 || user.chars().anyMatch(c -> c < 0x20)) {
            return failed(user);
        }
        Instant now = clock.instant();
        Session session = sessions.get(user);
        if (session != null && now.isBefore(session.verifiedUntil) && session.matches(password)) {
            sessions.put(user, session.extended(now.plus(sessionFor)));
            return Mono.just(account(user));
        }
        return checks.run(Mono.fromCallable(() -> connections.verify(user, new Login(user, password)))
                        .subscribeOn(scheduler))
                .flatMap(ok -> {
                    if (!ok) {
                        LOG.info("IMAP login refused for user={}", LogText.escape(user));
                        return failed(user);
                    }
                    failures.remove(user);
                    byte[] salt = new byte[16];
                    random.nextBytes(salt);
                    Instant at = clock.instant();
                    sessions.put(user, new Session(salt, hash(salt, password), at.plus(verifiedFor), password,
                            at.plus(sessionFor)));
                    Account account = account(user);
                    byAddress.put(account.primaryAddress().toLowerCase(Locale.ROOT), account);
                    return Mono.just(account);
                });
    }

    private Mono<Account> failed(String user) {
        int count = failures.merge(user, 1, Integer::sum);
        if (failures.size() > 100_000) {
            failures.clear(); // bounded memory under a spray of names
        }
        Duration delay = failureDelay.multipliedBy(Math.min(count, 50));
        if (delay.compareTo(MAX_FAILURE_DELAY) > 0) {
            delay = MAX_FAILURE_DELAY;
        }
        return delay.isZero() ? Mono.empty() : Mono.delay(delay).then(Mono.empty());
    }

    /**
     * The shared rule with this gateway's mail domain: the IMAP server decides who a login is, and is asked only
     * with a password; most servers ignore case and the default domain, and counting their spellings as one account
     * can only count more, never less.
     */
    @Override
    public String accountKey(String login) {
        return LoginNames.canonical(login, domain);
    }

    @Override
    public Mono<Account> byAddress(String address) {
        String key = address.strip().toLowerCase(Locale.ROOT);
        Account seen = byAddress.get(key);
        if (seen != null) {
            return Mono.just(seen);
        }
        int at = key.lastIndexOf('@');
        if (at > 0 && !domain.isEmpty() && key.substring(at + 1).equals(domain)) {
            return Mono.just(account(key.substring(0, at)));
        }
        return Mono.empty();
    }

    /** The password of a user's live session: how the gateway logs in to IMAP and SMTP on their behalf. */
    @Override
    public Optional<Login> login(String user) {
        Session session = sessions.get(user);
        if (session == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(session.sessionUntil)) {
            sessions.remove(user, session);
            return Optional.empty();
        }
        return Optional.of(new Login(user, session.password));
    }

    /** Forgets sessions past their time (call now and then). */
    public void expire() {
        Instant now = clock.instant();
        sessions.entrySet().removeIf(e -> !now.isBefore(e.getValue().sessionUntil));
    }

    private Account account(String user) {
        String address = user.contains("@") ? user : user + "@" + (domain.isEmpty() ? "localhost" : domain);
        String local = user.contains("@") ? user.substring(0, user.indexOf('@')) : user;
        return new Account(user, local, address);
    }

    private static byte[] hash(byte[] salt, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ImapAccounts[" + connections.server() + ", " + sessions.size() + " sessions]";
    }

    /** A verified login: the salted hash for checks, the password for logins on the user's behalf. */
    private record Session(byte[] salt, byte[] hash, Instant verifiedUntil, String password, Instant sessionUntil) {
        boolean matches(String candidate) {
            return MessageDigest.isEqual(hash, ImapAccounts.hash(salt, candidate));
        }

        Session extended(Instant until) {
            return new Session(salt, hash, verifiedUntil, password, until);
        }

        @Override
        public String toString() {
            return "Session[until " + sessionUntil + "]";
        }
    }
}
