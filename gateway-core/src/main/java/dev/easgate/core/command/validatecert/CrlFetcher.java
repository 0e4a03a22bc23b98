package dev.easgate.core.command.validatecert;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the CRLs named by certificates' CRL Distribution Points (RFC 5280 4.2.1.13) over HTTP(S), for ValidateCert
 * with CheckCRL=1. The JDK's own CRL fetching ({@code com.sun.security.enableCRLDP}, off by default) is not used:
 * its timeouts are JVM-wide (15 s by default), and its failures cannot be told apart reliably (a URI that failed is
 * not tried again for 30 s, and meanwhile the JDK answers "could not determine revocation status" with no cause,
 * where the first failure said "network error"). Here every fetch of one
 * validation runs at once and all of them together are bounded by one timeout (connect, response and body), a
 * response is bounded in size, and a CRL is kept in a bounded LRU cache until its nextUpdate (at most a day).
 * Only {@code http} and {@code https} URIs are fetched ({@code ldap} ones are skipped). Blocking: call it on the
 * bounded elastic scheduler, never on an event loop.
 */
final class CrlFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(CrlFetcher.class);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final int DEFAULT_CACHE_SIZE = 256;
    static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
    /** A CRL without nextUpdate, or with a far one, is fetched again after this. */
    static final Duration MAX_AGE = Duration.ofDays(1);
    private static final String CRL_DISTRIBUTION_POINTS = "2.5.29.31";

    private final Duration timeout;
    private final int cacheSize;
    private final int maxBytes;
    private final Clock clock;
    private final Map<String, Cached> cache;
    private HttpClient http;

    /** What the fetches for one certificate gave: its CRLs, and the fetches that failed on the network. */
    record Result(List<X509CRL> crls, List<IOException> networkFailures) {
    }

    private record Cached(X509CRL crl, Instant expires) {
    }

    /** One fetch under way, or a CRL from the cache ({@code exchange} null). */
    private record Fetch(CompletableFuture<HttpResponse<X509CRL>> exchange, X509CRL cached) {
    }

    CrlFetcher(Duration timeout, int cacheSize, int maxBytes, Clock clock) {
        if (timeout.isNegative() || timeout.isZero() || cacheSize < 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("bad CRL fetch limits " + timeout + " " + cacheSize + " " + maxBytes);
        }
        this.timeout = timeout;
        this.cacheSize = cacheSize;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > CrlFetcher.this.cacheSize;
            }
        };
    }

    CrlFetcher() {
        this(DEFAULT_TIMEOUT, DEFAULT_CACHE_SIZE, DEFAULT_MAX_BYTES, Clock.systemUTC());
    }

    /** The CRLs of each certificate, in the order given; blocks at most about the timeout. */
    List<Result> fetch(List<X509Certificate> certificates) {
        Map<String, Fetch> pending = new LinkedHashMap<>();
        List<List<String>> uris = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            List<String> own = distributionPoints(certificate);
            uris.add(own);
            for (String uri : own) {
                if (!pending.containsKey(uri)) {
                    X509CRL cached = cached(uri);
                    pending.put(uri, new Fetch(cached == null ? start(uri) : null, cached));
                }
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> outcomes = new LinkedHashMap<>();
        for (Map.Entry<String, Fetch> e : pending.entrySet()) {
            Fetch fetch = e.getValue();
            outcomes.put(e.getKey(), fetch.exchange() == null ? fetch.cached()
                    : await(e.getKey(), fetch.exchange(), deadline));
        }
        List<Result> results = new ArrayList<>();
        for (List<String> own : uris) {
            List<X509CRL> crls = new ArrayList<>();
            List<IOException> failures = new ArrayList<>();
            for (String uri : own) {
                Object outcome = outcomes.get(uri);
                if (outcome instanceof X509CRL crl) {
                    crls.add(crl);
                } else if (outcome instanceof IOException io) {
                    failures.add(io);
                }
            }
            results.add(new Result(List.copyOf(crls), List.copyOf(failures)));
        }
        return results;
    }

    /** An X509CRL, an IOException (the server could not be reached or did not answer in time), or null. */
    private Object await(String uri, CompletableFuture<HttpResponse<X509CRL>> future, long deadline) {
        try {
            HttpResponse<X509CRL> response = future.get(Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
            X509CRL crl = response.body();
            if (crl == null) {
                LOG.info("validatecert: CRL {} answered HTTP {}", uri, response.statusCode());
            } else {
                remember(uri, crl);
            }
            return crl;
        } catch (TimeoutException e) {
            future.cancel(true); // JDK 16+: cancelling sendAsync's future aborts the exchange
            LOG.info("validatecert: CRL {} not fetched within {}", uri, timeout);
            return new HttpTimeoutException("CRL " + uri + " not fetched within " + timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            LOG.info("validatecert: CRL {} not fetched: {}", uri, cause.toString());
            return cause instanceof IOException io && !(cause instanceof NotACrl) ? io : null;
        } catch (CancellationException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return null;
        }
    }

    private CompletableFuture<HttpResponse<X509CRL>> start(String uri) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(uri)).timeout(timeout).GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new NotACrl("bad CRL URI " + uri));
        }
        return client().sendAsync(request, info -> limited(info.statusCode(), uri));
    }

    private synchronized HttpClient client() {
        // made on first use: a handler that never checks revocation starts no HTTP client threads
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
        }
        return http;
    }

    /** A body subscriber that gives up past maxBytes and parses the body as one CRL (DER or PEM). */
    private HttpResponse.BodySubscriber<X509CRL> limited(int status, String uri) {
        if (status != 200) {
            // the server answered: not "cannot be reached", so not a network failure
            return HttpResponse.BodySubscribers.replacing(null);
        }
        return new HttpResponse.BodySubscriber<>() {
            private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            private final CompletableFuture<X509CRL> result = new CompletableFuture<>();
            private Flow.Subscription subscription;

            @Override
            public CompletionStage<X509CRL> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                if (result.isDone()) {
                    return;
                }
                for (ByteBuffer buffer : buffers) {
                    if (bytes.size() + buffer.remaining() > maxBytes) {
                        subscription.cancel();
                        result.completeExceptionally(new NotACrl("CRL " + uri + " larger than " + maxBytes + " bytes"));
                        return;
                    }
                    byte[] chunk = new byte[buffer.remaining()];
                    buffer.get(chunk);
                    bytes.writeBytes(chunk);
                }
            }

            @Override
            public void onError(Throwable throwable) {
                result.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                try {
                    result.complete((X509CRL) CertificateFactory.getInstance("X.509")
                            .generateCRL(new ByteArrayInputStream(bytes.toByteArray())));
                } catch (CRLException | CertificateException | RuntimeException e) {
                    result.completeExceptionally(new NotACrl("CRL " + uri + " cannot be decoded: " + e));
                }
            }
        };
    }

    private synchronized X509CRL cached(String uri) {
        Cached cached = cache.get(uri);
        if (cached == null) {
            return null;
        }
        if (!clock.instant().isBefore(cached.expires())) {
            cache.remove(uri);
            return null;
        }
        return cached.crl();
    }

    private synchronized void remember(String uri, X509CRL crl) {
        if (crl == null || cacheSize == 0) {
            return;
        }
        Instant now = clock.instant();
        Instant expires = now.plus(MAX_AGE);
        if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(expires)) {
            expires = crl.getNextUpdate().toInstant();
        }
        if (expires.isAfter(now)) {
            cache.put(uri, new Cached(crl, expires));
        }
    }

    /**
     * The http(s) URIs of the certificate's CRL Distribution Points extension (RFC 5280 4.2.1.13): each
     * DistributionPoint's distributionPoint [0] fullName [0] GeneralNames, uniformResourceIdentifier [6] entries.
     */
    static List<String> distributionPoints(X509Certificate certificate) {
        byte[] value = certificate.getExtensionValue(CRL_DISTRIBUTION_POINTS);
        if (value == null) {
            return List.of();
        }
        Set<String> uris = new LinkedHashSet<>();
        try {
            Der extension = Der.read(value, 0, value.length);
            Der points = Der.read(value, extension.start, extension.end);
            if (extension.tag != 0x04 || points.tag != 0x30) {
                return List.of();
            }
            for (Der point : points.children(value)) {
                for (Der field : point.children(value)) {
                    if (field.tag != 0xA0) {
                        continue; // reasons [1], cRLIssuer [2]
                    }
                    for (Der name : field.children(value)) {
                        if (name.tag != 0xA0) {
                            continue; // nameRelativeToCRLIssuer [1]
                        }
                        for (Der general : name.children(value)) {
                            if (general.tag == 0x86) {
                                String uri = new String(value, general.start, general.end - general.start,
                                        java.nio.charset.StandardCharsets.US_ASCII);
                                String lower = uri.toLowerCase(Locale.ROOT);
                                if (lower.startsWith("http://") || lower.startsWith("https://")) {
                                    uris.add(uri);
                                }
                            }
                        }
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            LOG.info("validatecert: undecodable CRL distribution points in {}: {}",
                    certificate.getSubjectX500Principal(), e.getMessage());
            return List.of();
        }
        return List.copyOf(uris);
    }

    /** A fetch that reached the server but gave no usable CRL: "status cannot be determined", not "unreachable". */
    static final class NotACrl extends IOException {
        private static final long serialVersionUID = 1L;

        NotACrl(String message) {
            super(message);
        }
    }

    /** One DER TLV: its tag and where its contents lie in the buffer. */
    private record Der(int tag, int start, int end) {
        static Der read(byte[] b, int at, int limit) {
            if (at + 2 > limit) {
                throw new IllegalArgumentException("truncated DER at " + at);
            }
            int tag = b[at] & 0xFF;
            if ((tag & 0x1F) == 0x1F) {
                throw new IllegalArgumentException("multi-byte DER tag at " + at);
            }
            int first = b[at + 1] & 0xFF;
            int start = at + 2;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int count = first & 0x7F;
                if (count == 0 || count > 4 || start + count > limit) {
                    throw new IllegalArgumentException("bad DER length at " + at);
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (b[start + i] & 0xFF);
                }
                start += count;
            }
            if (start + length > limit) {
                throw new IllegalArgumentException("DER value past its container at " + at);
            }
            return new Der(tag, start, (int) (start + length));
        }

        List<Der> children(byte[] b) {
            List<Der> children = new ArrayList<>();
            for (int at = start; at < end; ) {
                Der child = read(b, at, end);
                children.add(child);
                at = child.end;
            }
            return children;
        }
    }
}
