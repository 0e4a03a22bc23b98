package dev.easgate.core.server;

import dev.easgate.core.admin.AdminApi;
import dev.easgate.core.admin.AdminOptions;
import dev.easgate.core.admin.BlockList;
import dev.easgate.core.autodiscover.AutodiscoverEndpoint;
import dev.easgate.core.autodiscover.AutodiscoverOptions;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.command.mail.LocalDelivery;
import dev.easgate.core.http.FrontGuards;
import dev.easgate.core.limits.ConcurrencyLimits;
import dev.easgate.core.limits.LimitOptions;
import dev.easgate.core.limits.LoginThrottle;
import dev.easgate.core.limits.TrustedProxies;
import dev.easgate.core.lmtp.LmtpOptions;
import dev.easgate.core.lmtp.LmtpServer;
import dev.easgate.core.logging.DeviceDebug;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.netty.DisposableServer;

/**
 * What a provider needs beyond the protocol, built from the configuration: the front's guards (proxies, login
 * throttling, block list, per-device/user limits, per-device debug) and the admin API.
 */
final class Operations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    private final Gateway.Services services;
    private final FrontGuards guards;
    private final BlockList blocks;
    private final DeviceDebug debug;
    private final Disposable blockRefresh;
    private volatile DisposableServer admin;
    private volatile DisposableServer lmtp;
    private final AutodiscoverEndpoint autodiscover;
    private final dev.easgate.core.tls.ReloadingSslContext tls;

    private Operations(Gateway.Services services, FrontGuards guards, BlockList blocks, DeviceDebug debug,
                       Disposable blockRefresh) {
        GatewayConfig config = services.config();
        // Autodiscover's Basic logins count against the same failed-login throttle as the EAS endpoint's
        this.autodiscover = new AutodiscoverEndpoint(
                new dev.easgate.core.http.ThrottledLogin(services.accounts(), guards, services.metrics()),
                config.text(AutodiscoverOptions.PUBLIC_URL),
                AutodiscoverOptions.hosts(config.text(AutodiscoverOptions.HOSTS)));
        if (!autodiscover.answers()) {
            LOG.info("autodiscover: neither public.url nor autodiscover.hosts is set, so Autodiscover answers every "
                    + "request with its error (no URL is derived from a request's Host header)");
        }
        this.tls = tls(config);
        this.services = services;
        this.guards = guards;
        this.blocks = blocks;
        this.debug = debug;
        this.blockRefresh = blockRefresh;
    }

    static Operations create(Gateway.Services services) {
        GatewayConfig config = services.config();
        TrustedProxies proxies;
        try {
            proxies = TrustedProxies.parse(config.text(LimitOptions.PROXY_TRUSTED));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        // with the state in Redis, failed logins count across every node; alone, in this node's memory
        dev.easgate.backends.auth.LoginFailures failures =
                services.stateStore() instanceof dev.easgate.backends.auth.LoginFailures shared ? shared
                        : new dev.easgate.backends.memory.MemoryLoginFailures();
        LoginThrottle logins = new LoginThrottle((int) config.number(LimitOptions.LOGIN_DELAY_AFTER),
                config.seconds(LimitOptions.LOGIN_MAX_DELAY), (int) config.number(LimitOptions.LOGIN_MAX_FAILURES),
                config.seconds(LimitOptions.LOGIN_LOCKOUT), services.clock(), failures);
        ConcurrencyLimits concurrency = new ConcurrencyLimits((int) config.number(LimitOptions.DEVICE_MAX_CONCURRENT),
                (int) config.number(LimitOptions.USER_MAX_CONCURRENT));
        BlockList blocks = new BlockList(services.stateStore());
        DeviceDebug debug = new DeviceDebug(services.clock());
        Disposable refresh = blocks.refreshEvery(Duration.ofSeconds(
                Math.max(1, config.number(AdminOptions.BLOCKLIST_REFRESH))));
        return new Operations(services, new FrontGuards(proxies, logins, blocks, concurrency, debug,
                services.policies()), blocks, debug, refresh);
    }

    private static dev.easgate.core.tls.ReloadingSslContext tls(GatewayConfig config) {
        String cert = config.text(dev.easgate.core.tls.TlsOptions.CERT);
        String key = config.text(dev.easgate.core.tls.TlsOptions.KEY);
        if (cert.isEmpty() && key.isEmpty()) {
            return null;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException("TLS needs both tls.cert and tls.key");
        }
        return dev.easgate.core.tls.ReloadingSslContext.load(java.nio.file.Path.of(cert), java.nio.file.Path.of(key),
                config.seconds(dev.easgate.core.tls.TlsOptions.RELOAD_INTERVAL));
    }

    AutodiscoverEndpoint autodiscover() {
        return autodiscover;
    }

    /** The TLS context of the EAS listener, or null for plain HTTP. */
    dev.easgate.core.tls.ReloadingSslContext tls() {
        return tls;
    }

    FrontGuards guards() {
        return guards;
    }

    /** Starts the admin API when admin.port is set (it then needs admin.token). */
    void startAdmin() {
        GatewayConfig config = services.config();
        String port = config.text(AdminOptions.PORT);
        if (port.isEmpty()) {
            return;
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("admin.port must be a number, got '" + port + "'");
        }
        AdminApi api = new AdminApi(services.stateStore(), services.changeBus(), blocks, debug,
                config.text(AdminOptions.TOKEN), services.clock(), guards.logins(), services.policies(),
                Gateway.loopGuard(services));
        admin = api.start(config.text(AdminOptions.BIND), number);
        LOG.info("admin API listening on http://{}:{}{}", admin.host(), admin.port(), AdminApi.PREFIX);
        warnIfExposed(config.text(AdminOptions.BIND), admin.address());
    }

    /** Starts the memory backend's LMTP listener when memory.lmtp-port is set. */
    void startLmtp() {
        GatewayConfig config = services.config();
        String port = config.text(LmtpOptions.PORT);
        if (port.isEmpty()) {
            return;
        }
        if (!config.backend().equals("memory")) {
            throw new IllegalArgumentException("memory.lmtp-port is for the memory backend; with backend="
                    + config.backend() + " the mail server receives the mail");
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("memory.lmtp-port must be a number, got '" + port + "'");
        }
        LocalDelivery delivery = new LocalDelivery(services.accounts(), services.mailStore());
        lmtp = LmtpServer.start(config.text(LmtpOptions.BIND), number, "easgate." + config.memoryDomain(),
                services.accounts(), delivery, config.maxRequestBytes());
        LOG.info("LMTP listening on {}:{}: mail delivered there goes to the memory backend's Inboxes",
                lmtp.host(), lmtp.port());
    }

    /** The LMTP listener's port, or -1 when it is off. */
    int lmtpPort() {
        DisposableServer server = lmtp;
        return server == null ? -1 : server.port();
    }

    /**
     * The admin API speaks plain HTTP: beyond loopback its bearer token and the users' device data cross the network
     * readable by anyone on the path, so the operator is told at start.
     */
    static void warnIfExposed(String bind, SocketAddress bound) {
        if (bound instanceof InetSocketAddress inet && inet.getAddress() != null
                && inet.getAddress().isLoopbackAddress()) {
            return;
        }
        LOG.warn("admin API listens beyond loopback (admin.bind={}, {}) without TLS: the admin token and device data "
                + "travel in clear; bind it to 127.0.0.1 and reach it through SSH, or keep it on a management network "
                + "behind a TLS-terminating proxy", bind, bound);
    }

    int adminPort() {
        DisposableServer server = admin;
        return server == null ? -1 : server.port();
    }

    @Override
    public void close() {
        blockRefresh.dispose();
        if (tls != null) {
            tls.close();
        }
        for (DisposableServer server : new DisposableServer[] {lmtp, admin}) {
            if (server != null) {
                server.disposeNow(Duration.ofSeconds(5));
            }
        }
    }
}
