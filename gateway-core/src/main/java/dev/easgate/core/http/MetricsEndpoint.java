package dev.easgate.core.http;

import dev.easgate.core.metrics.GatewayMetrics;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/** {@code GET /metrics}: the Prometheus exposition, to loopback clients only unless configured public. */
public final class MetricsEndpoint {
    public static final String PATH = "/metrics";

    private final GatewayMetrics metrics;
    private final boolean open;

    public MetricsEndpoint(GatewayMetrics metrics, boolean open) {
        this.metrics = metrics;
        this.open = open;
    }

    public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        InetSocketAddress remote = request.remoteAddress();
        if (!open && (remote == null || !remote.getAddress().isLoopbackAddress())) {
            return response.status(HttpResponseStatus.FORBIDDEN).send();
        }
        return response.status(HttpResponseStatus.OK)
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .sendString(reactor.core.publisher.Mono.fromSupplier(metrics::scrape));
    }
}
