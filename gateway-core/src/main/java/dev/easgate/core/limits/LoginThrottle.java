package dev.easgate.core.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins per user and per client address: after {@code delayAfter} failures each further attempt waits one
 * more second (at most {@code maxDelay}); after {@code maxFailures} logins are refused for {@code lockout}.
 * Failures older than the lockout are forgotten; a successful login clears the user's count (not the address's,
 * so one valid account does not reset an address that guesses others). Per node: with several nodes an attacker
 * spread over them gets at most nodes x the limits.
 */
public final class LoginThrottle {
    /** What to do with a login attempt. */
    public record Verdict(Duration delay, Duration refusedFor, String reason) {
        static final Verdict ALLOW = new Verdict(Duration.ZERO, Duration.ZERO, "");

        public boolean refused() {
            return !refusedFor.isZero();
        }
    }

    private static final int MAX_TRACKED = 200_000;

    private final int delayAfter;
    private final Duration maxDelay;
    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    private static final class Failures {
        int count;
        Instant last;
        Instant lockedUntil;
    }

    public LoginThrottle(int delayAfter, Duration maxDelay, int maxFailures, Duration lockout, Clock clock) {
        this.delayAfter = delayAfter;
        this.maxDelay = maxDelay;
        this.maxFailures = maxFailures;
        this.lockout = lockout;
        this.clock = clock;
    }

    public Verdict check(String user, String address) {
        Instant now = clock.instant();
        Verdict byUser = verdict("user", now, failures.get("u:" + user));
        Verdict byAddress = verdict("address", now, failures.get("a:" + address));
        if (byUser.refused()) {
            return byUser;
        }
        if (byAddress.refused()) {
            return byAddress;
        }
        return byUser.delay().compareTo(byAddress.delay()) >= 0 ? byUser : byAddress;
    }

    private Verdict verdict(String scope, Instant now, Failures f) {
        if (f == null) {
            return Verdict.ALLOW;
        }
        synchronized (f) {
            if (f.lockedUntil != null && now.isBefore(f.lockedUntil)) {
                return new Verdict(Duration.ZERO, Duration.between(now, f.lockedUntil), scope);
            }
            if (f.last == null || Duration.between(f.last, now).compareTo(lockout) > 0 || f.count < delayAfter) {
                return Verdict.ALLOW;
            }
            Duration delay = Duration.ofSeconds(f.count - delayAfter + 1L);
            return new Verdict(delay.compareTo(maxDelay) > 0 ? maxDelay : delay, Duration.ZERO, scope);
        }
    }

    /** Records a failed login; returns whether it locked the user or the address out. */
    public boolean failed(String user, String address) {
        Instant now = clock.instant();
        if (failures.size() > MAX_TRACKED) {
            failures.entrySet().removeIf(e -> e.getValue().last == null
                    || Duration.between(e.getValue().last, now).compareTo(lockout) > 0);
        }
        boolean lockedUser = count("u:" + user, now);
        boolean lockedAddress = count("a:" + address, now);
        return lockedUser || lockedAddress;
    }

    private boolean count(String key, Instant now) {
        Failures f = failures.computeIfAbsent(key, k -> new Failures());
        synchronized (f) {
            if (f.last != null && Duration.between(f.last, now).compareTo(lockout) > 0) {
                f.count = 0;
                f.lockedUntil = null;
            }
            f.count++;
            f.last = now;
            if (f.count >= maxFailures && (f.lockedUntil == null || !now.isBefore(f.lockedUntil))) {
                f.lockedUntil = now.plus(lockout);
                f.count = 0;
                return true;
            }
            return false;
        }
    }

    public void succeeded(String user) {
        failures.remove("u:" + user);
    }
}
