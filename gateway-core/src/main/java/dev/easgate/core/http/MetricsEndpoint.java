package dev.easgate.core.http;

import dev.easgate.core.limits.TrustedProxies;
import dev.easgate.core.metrics.GatewayMetrics;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /metrics}: the Prometheus exposition, to loopback clients only unless configured public. The client is
 * judged after proxy.trusted is applied: behind a reverse proxy on the same host every request comes from loopback,
 * and only the address the proxy forwarded tells a local scraper from anyone on the Internet.
 */
public final class MetricsEndpoint {
    public static final String PATH = "/metrics";

    private final GatewayMetrics metrics;
    private final boolean open;
    private final TrustedProxies proxies;

    public MetricsEndpoint(GatewayMetrics metrics, boolean open, TrustedProxies proxies) {
        this.metrics = metrics;
        this.open = open;
        this.proxies = proxies;
    }

    public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        if (!open && !TrustedProxies.loopback(ClientAddress.of(proxies, request))) {
            return response.status(HttpResponseStatus.FORBIDDEN).send();
        }
        return response.status(HttpResponseStatus.OK)
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .sendString(Mono.fromSupplier(metrics::scrape));
    }
}
