package dev.easgate.core.startup;

import dev.easgate.backends.imap.MailServerUrl;
import dev.easgate.backends.redis.RedisTarget;
import dev.easgate.backends.sieve.SieveUrl;
import dev.easgate.backends.logging.LogText;
import io.lettuce.core.RedisURI;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Contacts every configured backend once at start, all in parallel on a scheduler of their own (the probes block:
 * sockets, JNDI), each bounded by the probe timeout, and logs one WARN line per backend that does not answer and
 * one INFO line for those that do.
 */
public final class BackendProbes {
    private static final Logger LOG = LoggerFactory.getLogger(BackendProbes.class);

    private BackendProbes() {
    }

    /** An IMAP server ({@code imap.url}). */
    public static ProbeTarget imap(String imapUrl) {
        MailServerUrl url = MailServerUrl.parse(imapUrl, "imap");
        return new ProbeTarget("imap", url.toString(), new ImapProbe(url));
    }

    /** An SMTP submission server ({@code smtp.url}). */
    public static ProbeTarget smtp(String smtpUrl) {
        MailServerUrl url = MailServerUrl.parse(smtpUrl, "smtp");
        return new ProbeTarget("smtp", url.toString(), new SmtpProbe(url));
    }

    /** A ManageSieve server ({@code sieve.url}). */
    public static ProbeTarget sieve(String sieveUrl) {
        SieveUrl url = SieveUrl.parse(sieveUrl);
        return new ProbeTarget("sieve", url.toString(), new SieveProbe(url));
    }

    /** A CalDAV/CardDAV server's base URL ({@code dav.url}). */
    public static ProbeTarget dav(String davUrl) {
        URI uri = URI.create(davUrl.strip());
        return new ProbeTarget("dav", withoutSecrets(uri), new DavProbe(uri));
    }

    /** An LDAP server ({@code directory.ldap.url}; of a space-separated list, the first, which is tried first). */
    public static ProbeTarget ldap(String ldapUrl) {
        String first = ldapUrl.strip().split("\\s+")[0];
        return new ProbeTarget("ldap", withoutSecrets(URI.create(first)), new LdapProbe(first));
    }

    /** Redis ({@code redis}): the server, or each seed node of a cluster. */
    public static List<ProbeTarget> redis(String redisOption) {
        RedisTarget redis = RedisTarget.parse(redisOption);
        List<RedisURI> nodes = redis instanceof RedisTarget.Cluster cluster ? cluster.seeds()
                : List.of(((RedisTarget.Standalone) redis).uri());
        List<ProbeTarget> targets = new ArrayList<>();
        for (RedisURI node : nodes) {
            String url = (node.isSsl() ? "rediss://" : "redis://") + node.getHost() + ":" + node.getPort();
            targets.add(new ProbeTarget("redis", url, new RedisProbe(node.getHost(), node.getPort(), node.isSsl())));
        }
        return List.copyOf(targets);
    }

    /** Scheme, host, port and path: user names and passwords in a URL never reach a log line. */
    public static String withoutSecrets(URI uri) {
        StringBuilder out = new StringBuilder();
        if (uri.getScheme() != null) {
            out.append(uri.getScheme()).append("://");
        }
        out.append(uri.getHost() == null ? "?" : uri.getHost());
        if (uri.getPort() >= 0) {
            out.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            out.append(uri.getRawPath());
        }
        return out.toString();
    }

    /**
     * Runs every probe at once; completes when all have ended, each within {@code timeout}. Subscribing starts
     * them; the result keeps the targets' order.
     */
    public static Mono<List<ProbeResult>> run(List<ProbeTarget> targets, Duration timeout) {
        if (targets.isEmpty()) {
            return Mono.just(List.of());
        }
        return Mono.using(() -> Schedulers.newBoundedElastic(targets.size(), targets.size(), "easgate-probe"),
                scheduler -> Flux.fromIterable(targets)
                        .flatMapSequential(target -> probe(target, timeout, scheduler), targets.size())
                        .collectList(),
                Scheduler::dispose);
    }

    private static Mono<ProbeResult> probe(ProbeTarget target, Duration timeout, Scheduler scheduler) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            long deadline = started + timeout.toNanos();
            // the probe's own socket timeouts end it by the deadline; the timeout here bounds anything they miss
            // (a slow DNS lookup), and a late answer is then dropped quietly: the attempt never signals an error
            return Mono.fromCallable(() -> attempt(target, deadline, timeout, started))
                    .subscribeOn(scheduler)
                    .timeout(timeout.plusMillis(500), Mono.fromSupplier(() -> new ProbeResult(target, false,
                            why(new TimeoutException(), timeout), millisSince(started))));
        });
    }

    private static ProbeResult attempt(ProbeTarget target, long deadline, Duration timeout, long started) {
        try {
            String answer = target.probe().ask(deadline);
            return new ProbeResult(target, true, LogText.escape(answer), millisSince(started));
        } catch (Exception e) {
            return new ProbeResult(target, false, why(e, timeout), millisSince(started));
        }
    }

    private static long millisSince(long started) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /** Why a probe failed, in words an operator acts on; the backend's own words escaped. */
    static String why(Throwable error, Duration timeout) {
        if (error instanceof ProbeRefusedException refused) {
            return "refuses: " + LogText.escape(refused.getMessage());
        }
        if (error instanceof ConnectException) {
            return "connection refused";
        }
        if (error instanceof SocketTimeoutException || error instanceof TimeoutException) {
            return "no answer within " + timeout.toSeconds() + " s";
        }
        if (error instanceof UnknownHostException) {
            return "unknown host";
        }
        if (error instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (error instanceof EOFException) {
            return LogText.escape(error.getMessage());
        }
        if (error instanceof SSLException) {
            return "TLS failed: " + LogText.escape(error.getMessage());
        }
        return LogText.escape(error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    /** One WARN line per backend that does not answer, one INFO line for all that do; the failures. */
    public static List<ProbeResult> report(List<ProbeResult> results) {
        List<ProbeResult> failed = new ArrayList<>();
        List<ProbeResult> answered = new ArrayList<>();
        for (ProbeResult result : results) {
            (result.answered() ? answered : failed).add(result);
        }
        for (ProbeResult result : failed) {
            LOG.warn("backend {} at {}: {} ({} ms)", result.target().kind(), result.target().url(),
                    result.detail(), result.millis());
        }
        if (!answered.isEmpty()) {
            LOG.info("backends answer: {}", answered.stream()
                    .map(r -> r.target() + " (" + r.detail() + ", " + r.millis() + " ms)")
                    .collect(Collectors.joining(", ")));
        }
        return List.copyOf(failed);
    }

    /** The reason a {@code --fail-fast} start ends with. */
    public static String failure(List<ProbeResult> failed) {
        return failed.stream().map(r -> r.target() + ": " + r.detail()).collect(Collectors.joining("; "));
    }
}
