package dev.easgate.core.http;

import dev.easgate.core.autodiscover.AutodiscoverEndpoint;
import dev.easgate.core.health.HealthEndpoint;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** Binds the EAS endpoint on Reactor Netty. */
public final class GatewayHttpServer {
    private final DisposableServer server;

    private GatewayHttpServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * Binds {@code bind:port} (port 0: a free port) and serves the EAS endpoint, metrics, the push webhook and the
     * health answers on it; also Autodiscover (when not null), and TLS with {@code tls} (when not null; e.g. a
     * {@link dev.easgate.core.tls.ReloadingSslContext}).
     */
    public static GatewayHttpServer start(String bind, int port, EasEndpoint endpoint, MetricsEndpoint metrics,
                                          PushEndpoint push, HealthEndpoint health,
                                          AutodiscoverEndpoint autodiscover, SslContext tls) {
        HttpServer http = HttpServer.create()
                .host(bind)
                .port(port)
                // phones hold a Ping up to an hour: no server-side idle timeout on open requests
                .route(routes -> {
                    routes.route(request -> request.fullPath().equalsIgnoreCase(EasEndpoint.PATH), endpoint::handle)
                            // balancers poll these every few seconds: no login, not counted as EAS requests
                            .route(HealthEndpoint::matches, health::handle)
                            .get(MetricsEndpoint.PATH, metrics::handle)
                            .post(PushEndpoint.PATH, push::handle);
                    if (autodiscover != null) {
                        routes.route(AutodiscoverEndpoint::matches, autodiscover::handle);
                    }
                });
        if (tls != null) {
            http = http.secure(spec -> spec.sslContext(tls));
        }
        DisposableServer server = http.bindNow(Duration.ofSeconds(30));
        return new GatewayHttpServer(server);
    }

    public int port() {
        return server.port();
    }

    public String host() {
        return server.host();
    }

    /**
     * Stops accepting and closes connections, waiting at most {@code timeout} for requests in progress; past it the
     * remaining connections are closed anyway (a stop never fails).
     */
    public void stop(Duration timeout) {
        try {
            server.disposeNow(timeout);
        } catch (IllegalStateException e) {
            org.slf4j.LoggerFactory.getLogger(GatewayHttpServer.class)
                    .warn("requests still open after {} ms; closing their connections", timeout.toMillis());
            server.dispose();
        }
    }
}
