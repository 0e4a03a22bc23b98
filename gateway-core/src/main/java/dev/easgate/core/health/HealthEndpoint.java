package dev.easgate.core.health;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /healthz} (200 while the process serves) and {@code GET /readyz} (200 while the node takes new
 * requests, 503 while it starts and from the moment it drains). No authentication and nothing secret: a one-word
 * body, never cached. Not counted as EAS requests, not logged: balancers poll them every few seconds.
 */
public final class HealthEndpoint {
    public static final String LIVE_PATH = "/healthz";
    public static final String READY_PATH = "/readyz";

    private final Readiness readiness;

    public HealthEndpoint(Readiness readiness) {
        this.readiness = readiness;
    }

    /** Whether the request is for one of the two paths (any query ignored). */
    public static boolean matches(HttpServerRequest request) {
        String path = request.fullPath();
        return path.equals(LIVE_PATH) || path.equals(READY_PATH);
    }

    public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            return response.status(HttpResponseStatus.METHOD_NOT_ALLOWED).header("Allow", "GET,HEAD").send();
        }
        HttpResponseStatus status;
        String body;
        if (request.fullPath().equals(LIVE_PATH)) {
            status = HttpResponseStatus.OK;
            body = "ok";
        } else {
            Readiness.State state = readiness.state();
            status = state == Readiness.State.READY ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
            body = state.word();
        }
        response.status(status)
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("Cache-Control", "no-store");
        if (HttpMethod.HEAD.equals(request.method())) {
            return response.header("Content-Length", Integer.toString(body.length() + 1)).send();
        }
        return response.sendString(Mono.just(body + "\n"));
    }
}
