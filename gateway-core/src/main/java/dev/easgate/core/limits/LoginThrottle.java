package dev.easgate.core.limits;

import dev.easgate.backends.auth.LoginFailures;
import dev.easgate.backends.memory.MemoryLoginFailures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Failed logins per user and per client address: after {@code delayAfter} failures each further attempt waits one
 * more second (at most {@code maxDelay}); after {@code maxFailures} logins are refused for {@code lockout}.
 * Failures older than the lockout are forgotten; a successful login clears the user's count (not the address's,
 * so one valid account does not reset an address that guesses others).
 *
 * <p>The counts live in a {@link LoginFailures}: with Redis, the one every node shares, so an attacker spread over
 * the nodes behind a load balancer meets the limits once; alone, this node's memory. While the shared store cannot
 * be reached the node counts in its own memory (and says so in the log), so logins neither stop nor go unthrottled.
 */
public final class LoginThrottle {
    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);
    private static final long WARN_EVERY_MILLIS = 60_000;

    /** What to do with a login attempt. */
    public record Verdict(Duration delay, Duration refusedFor, String reason) {
        static final Verdict ALLOW = new Verdict(Duration.ZERO, Duration.ZERO, "");

        public boolean refused() {
            return !refusedFor.isZero();
        }
    }

    /**
     * A check's outcome.
     *
     * @param verdict        what to do with the attempt
     * @param userHasRecord  whether failures are recorded for the user (a success then clears them)
     */
    public record Check(Verdict verdict, boolean userHasRecord) {
    }

    private final int delayAfter;
    private final Duration maxDelay;
    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final LoginFailures shared;
    private final LoginFailures local;
    private final AtomicLong lastWarning = new AtomicLong();

    /** Counting in this node's memory. */
    public LoginThrottle(int delayAfter, Duration maxDelay, int maxFailures, Duration lockout, Clock clock) {
        this(delayAfter, maxDelay, maxFailures, lockout, clock, new MemoryLoginFailures());
    }

    public LoginThrottle(int delayAfter, Duration maxDelay, int maxFailures, Duration lockout, Clock clock,
                         LoginFailures failures) {
        this.delayAfter = delayAfter;
        this.maxDelay = maxDelay;
        this.maxFailures = maxFailures;
        this.lockout = lockout;
        this.clock = clock;
        this.shared = failures;
        this.local = failures instanceof MemoryLoginFailures ? failures : new MemoryLoginFailures();
    }

    public Mono<Check> check(String user, String address) {
        Instant now = clock.instant();
        return Mono.zip(read(userKey(user)), read(addressKey(address))).map(records -> {
            Verdict byUser = verdict("user", now, records.getT1());
            Verdict byAddress = verdict("address", now, records.getT2());
            Verdict verdict = byUser.refused() ? byUser : byAddress.refused() ? byAddress
                    : byUser.delay().compareTo(byAddress.delay()) >= 0 ? byUser : byAddress;
            return new Check(verdict, !records.getT1().equals(LoginFailures.Record.NONE));
        });
    }

    private Verdict verdict(String scope, Instant now, LoginFailures.Record record) {
        if (record.lockedUntil() != null && now.isBefore(record.lockedUntil())) {
            return new Verdict(Duration.ZERO, Duration.between(now, record.lockedUntil()), scope);
        }
        if (record.last() == null || Duration.between(record.last(), now).compareTo(lockout) > 0
                || record.count() < delayAfter) {
            return Verdict.ALLOW;
        }
        Duration delay = Duration.ofSeconds(record.count() - delayAfter + 1L);
        return new Verdict(delay.compareTo(maxDelay) > 0 ? maxDelay : delay, Duration.ZERO, scope);
    }

    /** Records a failed login; emits whether it locked the user or the address out. */
    public Mono<Boolean> failed(String user, String address) {
        Instant now = clock.instant();
        return Mono.zip(fail(userKey(user), now), fail(addressKey(address), now))
                .map(locked -> locked.getT1() || locked.getT2());
    }

    /** A successful login: the user's failures are forgotten. */
    public Mono<Void> succeeded(String user) {
        String key = userKey(user);
        return shared.clear(key).onErrorResume(e -> {
            unreachable(e);
            return Mono.empty();
        }).then(shared == local ? Mono.empty() : local.clear(key));
    }

    private Mono<LoginFailures.Record> read(String key) {
        return shared.read(key).onErrorResume(e -> {
            unreachable(e);
            return local.read(key);
        });
    }

    private Mono<Boolean> fail(String key, Instant now) {
        return shared.fail(key, now, maxFailures, lockout).onErrorResume(e -> {
            unreachable(e);
            return local.fail(key, now, maxFailures, lockout);
        });
    }

    private void unreachable(Throwable e) {
        long now = System.currentTimeMillis();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_MILLIS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("failed logins are counted in this node's memory: the shared store is unreachable: {}",
                    e.toString());
        }
    }

    private static String userKey(String user) {
        return "u:" + user;
    }

    private static String addressKey(String address) {
        return "a:" + address;
    }
}
