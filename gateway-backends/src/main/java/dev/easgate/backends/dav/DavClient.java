package dev.easgate.backends.dav;

import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import reactor.core.publisher.Mono;

/**
 * The WebDAV requests the store makes, over the JDK's HTTP client with {@code sendAsync}: no thread waits for a
 * response, so callers may be on a Netty event loop. Every failure to reach the server is
 * {@link Kind#UNAVAILABLE}.
 */
public final class DavClient {
    /** A response: status, ETag header (or null), body. */
    public record Response(int status, String etag, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final HttpClient http;
    private final Duration timeout;

    /** One HTTP client for every user: each request carries the Authorization of the login it is sent with. */
    public DavClient(Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
        this.timeout = timeout;
    }

    private static String authorization(DavCredentials.Login login) {
        return "Basic " + Base64.getEncoder().encodeToString((login.name() + ":" + login.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one request as {@code login} (null: without an Authorization header). */
    public Mono<Response> send(DavCredentials.Login login, String method, URI uri, String depth, String contentType,
                               String body, String ifMatch, String ifNoneMatch) {
        return Mono.defer(() -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (login != null) {
                request.header("Authorization", authorization(login));
            }
            if (depth != null) {
                request.header("Depth", depth);
            }
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            if (ifMatch != null) {
                request.header("If-Match", ifMatch);
            }
            if (ifNoneMatch != null) {
                request.header("If-None-Match", ifNoneMatch);
            }
            return Mono.fromFuture(() -> http.sendAsync(request.build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)))
                    .map(response -> new Response(response.statusCode(),
                            response.headers().firstValue("ETag").orElse(null), response.body()))
                    // a kept-alive connection the server closed meanwhile: nothing was received, send again
                    .retryWhen(reactor.util.retry.Retry.max(2).filter(DavClient::staleConnection))
                    .onErrorMap(e -> !(e instanceof MailStoreException),
                            e -> new MailStoreException(Kind.UNAVAILABLE, method + " " + uri + ": " + e, e));
        });
    }

    private static boolean staleConnection(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof java.io.IOException && t.getMessage() != null
                && (t.getMessage().contains("received no bytes") || t.getMessage().contains("EOF"));
    }

    /** Fails with UNAVAILABLE unless 2xx; 404 maps to NOT_FOUND, 403 to NOT_ALLOWED, 401 to CREDENTIALS_REFUSED. */
    public static Response expectOk(Response response, String what) {
        if (response.ok()) {
            return response;
        }
        Kind kind = switch (response.status()) {
            case 401 -> Kind.CREDENTIALS_REFUSED;
            case 404, 410 -> Kind.NOT_FOUND;
            case 403, 405 -> Kind.NOT_ALLOWED;
            case 409 -> Kind.ALREADY_EXISTS;
            case 412 -> Kind.NOT_ALLOWED;
            case 400, 415, 422 -> Kind.INVALID;
            default -> Kind.UNAVAILABLE;
        };
        throw new MailStoreException(kind, what + ": HTTP " + response.status());
    }
}
