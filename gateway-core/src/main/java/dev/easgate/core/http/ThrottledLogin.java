package dev.easgate.core.http;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.core.limits.LoginThrottle;
import dev.easgate.core.metrics.GatewayMetrics;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Basic authentication with failed-login throttling (login.* options), shared by every front that checks a
 * password (the EAS endpoint, Autodiscover), so that one user's or one address's failures count wherever they
 * happen: each failure is counted in easgate_login_failures_total; past login.delay-after a further attempt waits
 * (Mono.delay, no thread held) before its password is checked; past login.max-failures it is refused with HTTP 429
 * + Retry-After, the password not even checked.
 */
public final class ThrottledLogin {
    private static final Logger LOG = LoggerFactory.getLogger(ThrottledLogin.class);

    private final Accounts accounts;
    private final FrontGuards guards;
    private final GatewayMetrics metrics;

    public ThrottledLogin(Accounts accounts, FrontGuards guards, GatewayMetrics metrics) {
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.guards = Objects.requireNonNull(guards, "guards");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** The client's address: the peer, or what a trusted reverse proxy says (proxy.trusted). */
    public String clientAddress(HttpServerRequest request) {
        return guards.proxies().clientAddress(request.remoteAddress(), joined(request, "Forwarded"),
                joined(request, "X-Forwarded-For"));
    }

    /**
     * Every field of a repeated header, in order, as one list (RFC 9110 5.3): HAProxy's {@code option forwardfor}
     * adds its own X-Forwarded-For line after one a client sent, and the last hop must be read from the last line.
     */
    private static String joined(HttpServerRequest request, String header) {
        List<String> values = request.requestHeaders().getAll(header);
        return values.isEmpty() ? null : String.join(",", values);
    }

    /**
     * Emits the account, or empty for missing or bad credentials; fails with {@link RefusedException} while the
     * user or address is locked out.
     */
    public Mono<Optional<Account>> login(BasicCredentials credentials, String address) {
        if (credentials == null) {
            return Mono.just(Optional.empty());
        }
        return guards.logins().check(credentials.user(), address).flatMap(check -> {
            LoginThrottle.Verdict verdict = check.verdict();
            if (verdict.refused()) {
                return Mono.error(new RefusedException(verdict));
            }
            Mono<Optional<Account>> attempt = accounts.authenticate(credentials.user(), credentials.password())
                    .map(Optional::of)
                    .defaultIfEmpty(Optional.empty())
                    .flatMap(account -> {
                        if (account.isPresent()) {
                            // only a user with failures on record costs a write
                            return check.userHasRecord()
                                    ? guards.logins().succeeded(credentials.user()).thenReturn(account)
                                    : Mono.just(account);
                        }
                        metrics.loginFailure();
                        return guards.logins().failed(credentials.user(), address).map(locked -> {
                            if (locked) {
                                LOG.warn("logins locked out after repeated failures: user={} from={}",
                                        credentials.user(), address);
                            }
                            return account;
                        });
                    });
            if (verdict.delay().isZero()) {
                return attempt;
            }
            metrics.refusal("login_delayed");
            return Mono.delay(verdict.delay()).then(attempt);
        });
    }

    /** Too many failed logins: HTTP 429 with Retry-After until the lockout ends; the attempt is not checked. */
    public Mono<Void> refused(HttpServerResponse response, BasicCredentials credentials, String address,
                              RefusedException e) {
        metrics.refusal("login");
        LOG.warn("429 login refused for user={} from={}: too many failed logins by {}", credentials.user(), address,
                e.verdict().reason());
        return response.status(HttpResponseStatus.TOO_MANY_REQUESTS)
                .header("Retry-After", Long.toString(Math.max(1, e.verdict().refusedFor().toSeconds())))
                .send().then();
    }

    /** The user or address is locked out (login.max-failures). */
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
