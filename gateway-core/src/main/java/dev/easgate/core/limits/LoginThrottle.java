package dev.easgate.core.limits;

import dev.easgate.backends.auth.LoginFailures;
import dev.easgate.backends.memory.MemoryLoginFailures;
import io.netty.util.NetUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Failed logins per account, per client address and per device: after {@code delayAfter} failures each further
 * attempt waits one more second (at most {@code maxDelay}); after {@code maxFailures} logins are refused for
 * {@code lockout}. Failures older than the lockout are forgotten.
 *
 * <p>Keys: the account is the one the accounts backend resolves the login name to ({@code Accounts#accountKey}),
 * so every spelling of a name and every address count together; the address is the client's, an IPv6 address by
 * its /64 (one subscriber's whole prefix); the device is the account and the client-chosen DeviceId together.
 * An attempt of a device the account does not know meets all three counts; a device that logged in to the account
 * before meets only its own ({@link Check#known()}), so a stranger's failures cannot lock the owner's phones out:
 * that choice is the caller's, which checks the device record ({@code ThrottledLogin}). A successful login clears
 * the device's count only: clearing the account's would let a guesser spread over many addresses start again
 * after each of the owner's own logins.
 *
 * <p>The counts live in a {@link LoginFailures}: with Redis, the one every node shares, so an attacker spread over
 * the nodes behind a load balancer meets the limits once; alone, this node's memory. While the shared store cannot
 * be reached the node counts in its own memory (and says so in the log), so logins neither stop nor go unthrottled.
 */
public final class LoginThrottle {
    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);
    private static final long WARN_EVERY_MILLIS = 60_000;
    /** Keys longer than this (a 10 kB user name) are stored as their SHA-256: the store's keys stay bounded. */
    private static final int MAX_KEY = 200;

    /** What to do with a login attempt; {@code reason} is the count that decided ("account", "address", "device"). */
    public record Verdict(Duration delay, Duration refusedFor, String reason) {
        static final Verdict ALLOW = new Verdict(Duration.ZERO, Duration.ZERO, "");

        public boolean refused() {
            return !refusedFor.isZero();
        }

        /** The stricter of two verdicts: a refusal over a delay, the longer delay over the shorter. */
        Verdict or(Verdict other) {
            if (refused() || other.refused()) {
                return refused() ? this : other;
            }
            return delay.compareTo(other.delay) >= 0 ? this : other;
        }
    }

    /**
     * One login attempt.
     *
     * @param account the account key the login name resolves to
     * @param address the client's address
     * @param device  the DeviceId the client sent, or null (OPTIONS, Autodiscover)
     */
    public record Attempt(String account, String address, String device) {
        public Attempt {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * A check's outcome.
     *
     * @param verdict         what to do with the attempt of a device the account does not know: every count
     * @param known           what to do with the attempt of a device that logged in to the account before: its
     *                        own count only
     * @param deviceHasRecord whether failures are recorded for the device (a success then clears them)
     */
    public record Check(Verdict verdict, Verdict known, boolean deviceHasRecord) {
        /** Whether the account's or address's counts ask more than the device's own: then a known device differs. */
        public boolean stricterThanDevice() {
            return verdict.refused() != known.refused() || !verdict.delay().equals(known.delay());
        }
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

    public Mono<Check> check(Attempt attempt) {
        Instant now = clock.instant();
        Mono<LoginFailures.Record> device = attempt.device() == null ? Mono.just(LoginFailures.Record.NONE)
                : read(deviceKey(attempt));
        return Mono.zip(read(accountKey(attempt.account())), read(addressKey(attempt.address())), device)
                .map(records -> {
                    Verdict byDevice = verdict("device", now, records.getT3());
                    Verdict all = byDevice.or(verdict("account", now, records.getT1()))
                            .or(verdict("address", now, records.getT2()));
                    return new Check(all, byDevice, !records.getT3().equals(LoginFailures.Record.NONE));
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

    /**
     * The address's count alone, in a namespace of its own (the admin API's wrong tokens: {@code "admin"}): what to
     * do with the next attempt from {@code address}.
     */
    public Mono<Verdict> checkAddress(String namespace, String address) {
        Instant now = clock.instant();
        return read(addressKey(namespace, address)).map(record -> verdict("address", now, record));
    }

    /** Records a failure of {@code address} in {@code namespace}; emits whether it locked the address. */
    public Mono<Boolean> failedAddress(String namespace, String address) {
        return fail(addressKey(namespace, address), clock.instant());
    }

    /** Records a failed login on the account, the address and the device; emits whether one of them got locked. */
    public Mono<Boolean> failed(Attempt attempt) {
        Instant now = clock.instant();
        Mono<Boolean> device = attempt.device() == null ? Mono.just(false) : fail(deviceKey(attempt), now);
        return Mono.zip(fail(accountKey(attempt.account()), now), fail(addressKey(attempt.address()), now), device)
                .map(locked -> locked.getT1() || locked.getT2() || locked.getT3());
    }

    /** A successful login: the device's failures are forgotten (not the account's, not the address's). */
    public Mono<Void> succeeded(Attempt attempt) {
        if (attempt.device() == null) {
            return Mono.empty();
        }
        String key = deviceKey(attempt);
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

    private static String accountKey(String account) {
        return bounded("u:" + account);
    }

    private static String deviceKey(Attempt attempt) {
        return bounded("d:" + attempt.account() + "\0" + attempt.device());
    }

    private static String addressKey(String address) {
        return bounded("a:" + addressScope(address));
    }

    private static String addressKey(String namespace, String address) {
        return bounded(namespace + ":a:" + addressScope(address));
    }

    /**
     * What one client holds: an IPv4 address, or the /64 prefix of an IPv6 address (RFC 6177: one subscriber's
     * site gets at least a /64, so its addresses count together); anything else as it is.
     */
    static String addressScope(String address) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null || bytes.length != 16) {
            return address;
        }
        boolean mapped = true;
        for (int i = 0; i < 10 && mapped; i++) {
            mapped = bytes[i] == 0;
        }
        if (mapped && bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff) {
            return (bytes[12] & 0xff) + "." + (bytes[13] & 0xff) + "." + (bytes[14] & 0xff) + "." + (bytes[15] & 0xff);
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
        }
        return prefix.append(":/64").toString();
    }

    private static String bounded(String key) {
        if (key.length() <= MAX_KEY) {
            return key;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return key.substring(0, 2) + "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
