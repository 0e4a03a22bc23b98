package dev.easgate.core.http;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.logging.LogText;
import dev.easgate.core.limits.LoginThrottle;
import dev.easgate.core.logging.RequestMdc;
import dev.easgate.core.metrics.GatewayMetrics;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Basic authentication with failed-login throttling (login.* options), shared by every front that checks a
 * password (the EAS endpoint, Autodiscover), so that one account's or one address's failures count wherever they
 * happen: each failure is counted in easgate_login_failures_total; past login.delay-after a further attempt waits
 * (Mono.delay, no thread held) before its password is checked; past login.max-failures it is refused with HTTP 429
 * + Retry-After, the password not even checked.
 *
 * <p>Failures count on the account the accounts backend resolves the name to ({@link Accounts#accountKey}), so
 * {@code BOB}, {@code bob@example.com} and {@code EXAMPLE\bob} are one count. A device that logged in to the account
 * before (its device record exists, {@link KnownDevices}) is held only to its own count: while strangers' failures
 * lock the account or the address, it goes on with the right password; with a wrong one it is refused (429) like
 * anyone. The DeviceId is the client's word, so the exemption is checked twice: before the password (a device record
 * under the name as sent or the account key: an unknown DeviceId never costs a password check during a lockout)
 * and after it (a record under the account the password logged in to).
 */
public final class ThrottledLogin {
    private static final Logger LOG = LoggerFactory.getLogger(ThrottledLogin.class);

    /** Whether a device has logged in to an account before: its device record exists. */
    public interface KnownDevices {
        KnownDevices NONE = (user, deviceId) -> Mono.just(false);

        /** Emits whether the device {@code deviceId} of {@code user} is known; never fails. */
        Mono<Boolean> known(String user, String deviceId);
    }

    private final Accounts accounts;
    private final FrontGuards guards;
    private final GatewayMetrics metrics;
    private final KnownDevices devices;

    /** Without known devices: every attempt meets every count (Autodiscover alone). */
    public ThrottledLogin(Accounts accounts, FrontGuards guards, GatewayMetrics metrics) {
        this(accounts, guards, metrics, KnownDevices.NONE);
    }

    public ThrottledLogin(Accounts accounts, FrontGuards guards, GatewayMetrics metrics, KnownDevices devices) {
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.guards = Objects.requireNonNull(guards, "guards");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.devices = Objects.requireNonNull(devices, "devices");
    }

    /** The client's address: the peer, or what a trusted reverse proxy says (proxy.trusted). */
    public String clientAddress(HttpServerRequest request) {
        return ClientAddress.of(guards.proxies(), request);
    }

    /** A login without a device (OPTIONS, Autodiscover): every count applies. */
    public Mono<Optional<Account>> login(BasicCredentials credentials, String address) {
        return login(credentials, address, null);
    }

    /**
     * Emits the account, or empty for missing or bad credentials; fails with {@link RefusedException} while the
     * account, address or device is locked out (a device the account knows: only its own lock).
     *
     * @param deviceId the DeviceId of the request, or null
     */
    public Mono<Optional<Account>> login(BasicCredentials credentials, String address, String deviceId) {
        if (credentials == null) {
            return Mono.just(Optional.empty());
        }
        LoginThrottle.Attempt attempt = new LoginThrottle.Attempt(accounts.accountKey(credentials.user()), address,
                deviceId);
        // the counts may live in Redis, whose replies arrive on its client's threads
        return RequestMdc.restoring(guards.logins().check(attempt)).flatMap(check -> {
            if (check.known().refused()) {
                return Mono.error(new RefusedException(check.known())); // the device's own count: no exemption
            }
            if (deviceId == null || !check.stricterThanDevice()) {
                return stranger(credentials, attempt, check);
            }
            // strangers' failures hold the account or address: a device the account knows is not held by them
            return knownBefore(credentials.user(), attempt.account(), deviceId).flatMap(known -> known
                    ? attempt(credentials, attempt, check, check.known(), true)
                    : stranger(credentials, attempt, check));
        });
    }

    /** An attempt held to every count: refused while any is locked, the password not even checked. */
    private Mono<Optional<Account>> stranger(BasicCredentials credentials, LoginThrottle.Attempt attempt,
                                             LoginThrottle.Check check) {
        return check.verdict().refused() ? Mono.error(new RefusedException(check.verdict()))
                : attempt(credentials, attempt, check, check.verdict(), false);
    }

    /** A device record under the name as the device sends it or under the account key (no password yet). */
    private Mono<Boolean> knownBefore(String login, String accountKey, String deviceId) {
        return devices.known(login, deviceId).flatMap(known -> known || accountKey.equals(login) ? Mono.just(known)
                : devices.known(accountKey, deviceId));
    }

    /**
     * Checks the password after the verdict's delay. {@code exempt}: the device passed the account's or address's
     * lock as a known device; it must be known to the account the password logs in to, and a wrong password is
     * refused like any attempt during that lock.
     */
    private Mono<Optional<Account>> attempt(BasicCredentials credentials, LoginThrottle.Attempt attempt,
                                            LoginThrottle.Check check, LoginThrottle.Verdict verdict,
                                            boolean exempt) {
        // a password check may be finished by another request's thread (IMAP's login queue)
        Mono<Optional<Account>> login = RequestMdc.restoring(accounts.authenticate(credentials.user(),
                        credentials.password()))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(account -> {
                    if (account.isPresent()) {
                        return exempt ? knownDevice(account.get(), attempt, check) : succeeded(account, attempt, check);
                    }
                    metrics.loginFailure();
                    return guards.logins().failed(attempt).flatMap(locked -> {
                        if (locked) {
                            LOG.warn("logins locked out after repeated failures: user={} account={} device={} "
                                    + "from={}", LogText.escape(credentials.user()), LogText.escape(attempt.account()),
                                    LogText.escape(attempt.device()), attempt.address());
                        }
                        // a known device's wrong password during a lock is refused like anyone's: never a pass
                        return exempt && check.verdict().refused()
                                ? Mono.error(new RefusedException(check.verdict())) : Mono.just(account);
                    });
                });
        if (verdict.delay().isZero()) {
            return login;
        }
        metrics.refusal("login_delayed");
        return Mono.delay(verdict.delay()).then(login);
    }

    private Mono<Optional<Account>> knownDevice(Account account, LoginThrottle.Attempt attempt,
                                                LoginThrottle.Check check) {
        return devices.known(account.user(), attempt.device()).flatMap(known -> {
            if (!known) {
                // the DeviceId is known under another name than the one the password logged in to
                return check.verdict().refused() ? Mono.error(new RefusedException(check.verdict()))
                        : succeeded(Optional.of(account), attempt, check);
            }
            if (check.verdict().refused()) {
                LOG.info("known device let in during a login lockout by {}: user={} device={} from={}",
                        check.verdict().reason(), LogText.escape(account.user()), LogText.escape(attempt.device()),
                        attempt.address());
            }
            return succeeded(Optional.of(account), attempt, check);
        });
    }

    /** Only a device with failures on record costs a write. */
    private Mono<Optional<Account>> succeeded(Optional<Account> account, LoginThrottle.Attempt attempt,
                                              LoginThrottle.Check check) {
        return check.deviceHasRecord() ? guards.logins().succeeded(attempt).thenReturn(account) : Mono.just(account);
    }

    /** Too many failed logins: HTTP 429 with Retry-After until the lockout ends; the attempt is not checked. */
    public Mono<Void> refused(HttpServerResponse response, BasicCredentials credentials, String address,
                              RefusedException e) {
        metrics.refusal("login");
        LOG.warn("429 login refused for user={} from={}: too many failed logins by {}",
                LogText.escape(credentials.user()), address, e.verdict().reason());
        return response.status(HttpResponseStatus.TOO_MANY_REQUESTS)
                .header("Retry-After", Long.toString(Math.max(1, e.verdict().refusedFor().toSeconds())))
                .send().then();
    }

    /** The account, address or device is locked out (login.max-failures). */
    public static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient LoginThrottle.Verdict verdict;

        RefusedException(LoginThrottle.Verdict verdict) {
            super("login refused", null, false, false);
            this.verdict = verdict;
        }

        public LoginThrottle.Verdict verdict() {
            return verdict;
        }
    }
}
