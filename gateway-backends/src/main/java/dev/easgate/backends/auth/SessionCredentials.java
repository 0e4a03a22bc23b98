package dev.easgate.backends.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * The password each user's device last authenticated with, for backends that must log in to another server as the
 * user (CalDAV/CardDAV without a service account), whatever checks the password ({@code memory}, {@code imap}): an
 * {@link Accounts} decorator that remembers it on every successful authentication. Held in this process's memory
 * only (never on disk, never logged; {@link Session#toString()} hides it), for {@code sessionFor} after the user's
 * last successful authentication, for at most {@code maxUsers} users (the least recently used are forgotten first).
 * A failed authentication changes nothing; a successful one with a new password replaces the old one.
 */
public final class SessionCredentials implements Accounts {
    /** A user's account and the password their device authenticated with. */
    public record Session(Account account, String password) {
        public Session {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Session[" + account.user() + "]";
        }
    }

    private final Accounts accounts;
    private final Cache<String, Session> sessions;

    public SessionCredentials(Accounts accounts, int maxUsers, Duration sessionFor) {
        this(accounts, maxUsers, sessionFor, Ticker.systemTicker());
    }

    /** With the clock of expiry given (tests). */
    public SessionCredentials(Accounts accounts, int maxUsers, Duration sessionFor, Ticker ticker) {
        if (maxUsers < 1 || sessionFor.isNegative() || sessionFor.isZero()) {
            throw new IllegalArgumentException("maxUsers must be positive and sessionFor longer than 0");
        }
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        // expiry and eviction run on the calling thread: no pool, and tests see them at once
        this.sessions = Caffeine.newBuilder().maximumSize(maxUsers).expireAfterWrite(sessionFor).ticker(ticker)
                .executor(Runnable::run).build();
    }

    @Override
    public Mono<Account> authenticate(String user, String password) {
        return accounts.authenticate(user, password)
                .doOnNext(account -> sessions.put(account.user(), new Session(account, password)));
    }

    @Override
    public String accountKey(String login) {
        return accounts.accountKey(login);
    }

    @Override
    public Mono<Account> byAddress(String address) {
        return accounts.byAddress(address);
    }

    /** The live session of {@code user} (the account's user name), or empty. */
    public Optional<Session> session(String user) {
        return Optional.ofNullable(sessions.getIfPresent(user));
    }

    /** Sessions held now (after pending expiries). */
    public long size() {
        sessions.cleanUp();
        return sessions.estimatedSize();
    }

    @Override
    public String toString() {
        return "SessionCredentials[" + accounts + "]";
    }
}
