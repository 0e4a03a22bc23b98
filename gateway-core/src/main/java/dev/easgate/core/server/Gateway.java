package dev.easgate.core.server;

import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.memory.MemoryAccounts;
import dev.easgate.backends.memory.MemoryMailStore;
import dev.easgate.backends.memory.MemoryStateStore;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRegistry;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.http.EasEndpoint;
import dev.easgate.core.http.GatewayHttpServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: the one place that builds the backends, the command handlers and the HTTP front from a
 * configuration, and the running gateway they make.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Services services;
    private final EasEndpoint endpoint;
    private final GatewayHttpServer server;

    /** The backends and shared services every handler may use. */
    public record Services(Accounts accounts, MailStore mailStore, StateStore stateStore, GatewayConfig config,
                           Clock clock) {
    }

    private Gateway(GatewayConfig config, Services services, EasEndpoint endpoint, GatewayHttpServer server) {
        this.config = config;
        this.services = services;
        this.endpoint = endpoint;
        this.server = server;
    }

    /** Builds everything from {@code config} and starts listening. */
    public static Gateway start(GatewayConfig config) {
        Clock clock = Clock.systemUTC();
        Services services = backends(config, clock);
        CommandRegistry registry = new CommandRegistry(handlers(services));
        EasEndpoint endpoint = new EasEndpoint(registry, services.accounts(), services.stateStore(), config, clock);
        GatewayHttpServer server = GatewayHttpServer.start(config.bind(), config.port(), endpoint);
        LOG.info("EAS gateway listening on http://{}:{}{} (backend={}, commands={})", server.host(), server.port(),
                EasEndpoint.PATH, config.backend(), registry.advertised());
        return new Gateway(config, services, endpoint, server);
    }

    private static Services backends(GatewayConfig config, Clock clock) {
        // interim until the memory backend's factory (with demo data) lands
        MemoryAccounts accounts = MemoryAccounts.of(
                config.anyUserMode() ? Optional.of(config.memoryPassword()) : Optional.empty(),
                config.memoryDomain(), config.demoPassword());
        return new Services(accounts, new MemoryMailStore(clock), new MemoryStateStore(), config, clock);
    }

    /** Every implemented command's handler. OPTIONS advertises exactly these. */
    static List<CommandHandler> handlers(Services services) {
        List<CommandHandler> handlers = new ArrayList<>();
        return handlers;
    }

    public int port() {
        return server.port();
    }

    public GatewayConfig config() {
        return config;
    }

    public Services services() {
        return services;
    }

    public EasEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(10));
    }
}
