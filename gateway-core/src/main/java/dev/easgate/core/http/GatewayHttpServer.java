package dev.easgate.core.http;

import dev.easgate.core.autodiscover.AutodiscoverEndpoint;
import dev.easgate.core.connection.ConnectionGuard;
import dev.easgate.core.health.HealthEndpoint;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** Binds the EAS endpoint on Reactor Netty. */
public final class GatewayHttpServer {
    /** Netty's default receive-size policy (64 bytes to 64 KiB, from 2 KiB), shared: it is configuration only. */
    private static final AdaptiveRecvByteBufAllocator RECEIVE_SIZES = new AdaptiveRecvByteBufAllocator();

    private final DisposableServer server;

    private GatewayHttpServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * Binds {@code bind:port} (port 0: a free port) and serves the EAS endpoint, metrics, the push webhook and the
     * health answers on it; also Autodiscover (when not null), and TLS with {@code tls} (when not null; e.g. a
     * {@link dev.easgate.core.tls.ReloadingSslContext}). {@code connections} times out and limits the connections.
     */
    public static GatewayHttpServer start(String bind, int port, EasEndpoint endpoint, MetricsEndpoint metrics,
                                          PushEndpoint push, HealthEndpoint health,
                                          AutodiscoverEndpoint autodiscover, SslContext tls,
                                          ConnectionGuard connections) {
        HttpServer http = HttpServer.create()
                .host(bind)
                .port(port)
                // a reconnect storm connects every phone of a node at once: the kernel queues them for accepting up
                // to this many (and net.core.somaxconn), and drops the SYNs of the rest (retried after 1 s, 3 s...)
                .option(ChannelOption.SO_BACKLOG, connections.policy().acceptBacklog())
                // phones hold a Ping up to an hour: the guard's timers spare requests in progress, so Reactor Netty's
                // own idleTimeout/readTimeout/requestTimeout stay off
                // one receive-size policy for every connection (its per-read state stays per connection): Netty
                // would make an allocator of its own for each, kept as long as the connection, parked or not
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_SIZES)
                .doOnChannelInit((observer, channel, remote) -> {
                    connections.install(channel);
                    endpoint.connectionInit(channel);
                })
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
        connections.watchAcceptor(server.channel());
        return new GatewayHttpServer(server);
    }

    /** The backlog the listening socket was opened with (before the kernel's cap, net.core.somaxconn). */
    public int acceptBacklog() {
        return server.channel().config().getOption(ChannelOption.SO_BACKLOG);
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
            LoggerFactory.getLogger(GatewayHttpServer.class)
                    .warn("requests still open after {} ms; closing their connections", timeout.toMillis());
            server.dispose();
        }
    }
}
