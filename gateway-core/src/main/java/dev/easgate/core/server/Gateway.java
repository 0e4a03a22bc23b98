package dev.easgate.core.server;

import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.oof.OutOfOfficeStore;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ChangePublishingMailStore;
import dev.easgate.backends.bus.InProcessChangeBus;
import dev.easgate.backends.disk.DiskStateStore;
import dev.easgate.backends.directory.LdapMemberships;
import dev.easgate.backends.directory.Memberships;
import dev.easgate.backends.imip.InvitationReader;
import dev.easgate.backends.memory.MemoryAccounts;
import dev.easgate.backends.memory.DemoMailbox;
import dev.easgate.backends.memory.MailboxSeeder;
import dev.easgate.backends.mail.MailStreams;
import dev.easgate.backends.memory.MemoryBackend;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRegistry;
import dev.easgate.core.command.mail.OutgoingMail;
import dev.easgate.core.command.mail.OutgoingMailService;
import dev.easgate.core.command.mail.SendMailHandler;
import dev.easgate.core.command.mail.SmartForwardHandler;
import dev.easgate.core.command.mail.SmartReplyHandler;
import dev.easgate.core.command.meeting.MeetingResponseHandler;
import dev.easgate.core.command.move.MoveItemsHandler;
import dev.easgate.core.command.folder.FolderCreateHandler;
import dev.easgate.core.command.folder.FolderDeleteHandler;
import dev.easgate.core.command.folder.FolderHierarchy;
import dev.easgate.core.command.folder.FolderSyncHandler;
import dev.easgate.core.command.folder.FolderUpdateHandler;
import dev.easgate.core.command.estimate.GetItemEstimateHandler;
import dev.easgate.core.command.itemops.ItemOperationsHandler;
import dev.easgate.core.command.ping.HeartbeatBounds;
import dev.easgate.core.command.ping.PingHandler;
import dev.easgate.core.command.settings.SettingsHandler;
import dev.easgate.core.command.sync.KnownItems;
import dev.easgate.core.command.sync.ParkingSyncWait;
import dev.easgate.core.command.sync.PendingChanges;
import dev.easgate.core.command.sync.SyncHandler;
import dev.easgate.core.command.provision.ProvisionHandler;
import dev.easgate.core.command.search.DirectoryOptions;
import dev.easgate.core.command.search.SearchHandler;
import dev.easgate.core.command.attachment.GetAttachmentHandler;
import dev.easgate.core.command.find.FindHandler;
import dev.easgate.core.command.resolve.ResolveRecipientsHandler;
import dev.easgate.core.command.validatecert.ValidateCertHandler;
import dev.easgate.core.imip.OrganizerNotices;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.config.GatewayOptions;
import dev.easgate.core.connection.ConnectionGuard;
import dev.easgate.core.connection.ConnectionPolicy;
import dev.easgate.core.dav.DavBackend;
import dev.easgate.core.heartbeat.HeartbeatHub;
import dev.easgate.core.dav.DavOptions;
import dev.easgate.core.health.HealthEndpoint;
import dev.easgate.core.health.HealthOptions;
import dev.easgate.core.health.Readiness;
import dev.easgate.core.http.EasEndpoint;
import dev.easgate.core.http.GatewayHttpServer;
import dev.easgate.core.http.MetricsEndpoint;
import dev.easgate.core.http.PushEndpoint;
import dev.easgate.core.logging.RequestMdc;
import dev.easgate.core.metrics.GatewayMetrics;
import dev.easgate.core.oof.OutOfOfficeBackend;
import dev.easgate.core.oof.SieveOptions;
import dev.easgate.core.startup.BackendProbes;
import dev.easgate.core.startup.ProbeResult;
import dev.easgate.core.startup.ProbeTarget;
import dev.easgate.core.startup.StartupOptions;
import dev.easgate.core.loop.LoopGuard;
import dev.easgate.core.loop.LoopOptions;
import dev.easgate.core.policy.PolicyOptions;
import dev.easgate.core.policy.PolicyResolver;
import dev.easgate.core.policy.PolicySets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The composition root: the one place that builds the backends, the command handlers and the HTTP front from a
 * configuration, and the running gateway they make.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    static {
        // every MIME message parsed or composed by a node (Sync, SendMail, IMAP) skips Jakarta Mail's class path scan
        MailStreams.useAngus();
    }

    private final GatewayConfig config;
    private final Services services;
    private final EasEndpoint endpoint;
    private final GatewayHttpServer server;
    private final Operations operations;
    private final Readiness readiness;

    /** The backends and shared services every handler may use. */
    public record Services(Accounts accounts, MailStore mailStore, StateStore stateStore, ChangeBus changeBus,
                           HeartbeatHub heartbeat, GatewayMetrics metrics, GatewayConfig config, Clock clock,
                           Optional<OutgoingMail> outgoingMail, OutOfOfficeStore outOfOffice,
                           PolicyResolver policies,
                           List<AutoCloseable> resources) {
    }

    private Gateway(GatewayConfig config, Services services, EasEndpoint endpoint, GatewayHttpServer server,
                    Operations operations, Readiness readiness) {
        this.operations = operations;
        this.readiness = readiness;
        this.config = config;
        this.services = services;
        this.endpoint = endpoint;
        this.server = server;
    }

    /** Builds everything from {@code config} and starts listening. */
    public static Gateway start(GatewayConfig config) {
        return start(config, UnaryOperator.identity());
    }

    /**
     * The same, with the state store passed through {@code decorateState} before anything uses it (tests that
     * observe or hold up state writes, e.g. to crash a node between a write and its answer).
     */
    public static Gateway start(GatewayConfig config, UnaryOperator<StateStore> decorateState) {
        Clock clock = Clock.systemUTC();
        return start(config, memoryBackend(config, clock), clock, decorateState);
    }

    /**
     * Starts a node on a given memory backend: several nodes in one JVM (integration tests) share one, as
     * several nodes in production share one mail server.
     */
    public static Gateway start(GatewayConfig config, MemoryBackend memory, Clock clock) {
        return start(config, memory, clock, UnaryOperator.identity());
    }

    private static Gateway start(GatewayConfig config, MemoryBackend memory, Clock clock,
                                 UnaryOperator<StateStore> decorateState) {
        // the backends are contacted while the node is built: a clear log line for each that does not answer
        Duration probeTimeout = config.seconds(StartupOptions.PROBE_TIMEOUT);
        CompletableFuture<List<ProbeResult>> probes = BackendProbes.run(probeTargets(config), probeTimeout).toFuture();
        // ical4j's zone tables load once, off the request path (a first invitation would otherwise wait ~1.5 s)
        Mono.fromRunnable(InvitationReader::warmUp).subscribeOn(Schedulers.boundedElastic())
                .subscribe(null, e -> LOG.warn("ical4j warm-up failed: {}", e.toString()));
        Services services;
        try {
            services = services(config, memory, clock, decorateState);
        } catch (RuntimeException e) {
            // e.g. Redis down: its WARN line says so before the node gives up
            awaitProbes(probes, probeTimeout);
            throw e;
        }
        Operations operations = null;
        GatewayHttpServer server = null;
        try {
            operations = Operations.create(services);
            CommandRegistry registry = new CommandRegistry(handlers(services));
            EasEndpoint endpoint = new EasEndpoint(registry, services.accounts(), services.stateStore(), config,
                    clock, services.metrics(), operations.guards());
            services.metrics().inFlightGauge(endpoint, EasEndpoint::inFlight);
            Readiness readiness = new Readiness();
            server = GatewayHttpServer.start(config.bind(), config.port(), endpoint,
                    new MetricsEndpoint(services.metrics(), config.metricsPublic(), operations.guards().proxies()),
                    new PushEndpoint(services.changeBus(), config.pushToken()), new HealthEndpoint(readiness),
                    operations.autodiscover(), operations.tls(),
                    new ConnectionGuard(ConnectionPolicy.from(config, ImapBackend.connectionsAtMost(config)),
                            services.metrics()));
            // /readyz answers 503 until the probes have ended (at most the probe timeout after start)
            List<ProbeResult> failed = awaitProbes(probes, probeTimeout);
            if (!failed.isEmpty() && config.flag(StartupOptions.FAIL_FAST)) {
                throw new IllegalStateException("--fail-fast: " + BackendProbes.failure(failed));
            }
            LOG.info("EAS gateway listening on {}://{}:{}{} (backend={}, state={}, commands={})",
                    operations.tls() == null ? "http" : "https", server.host(), server.port(), EasEndpoint.PATH,
                    config.backend(), config.clustered() ? "redis" : "disk", registry.advertised());
            operations.startAdmin();
            operations.startLmtp();
            readiness.markReady();
            return new Gateway(config, services, endpoint, server, operations, readiness);
        } catch (RuntimeException e) {
            if (server != null) {
                server.stop(Duration.ofMillis(1));
            }
            if (operations != null) {
                operations.close();
            }
            closeShared(services);
            throw e;
        }
    }

    /** Every backend the configuration names, each contacted once at start (BackendProbes). */
    static List<ProbeTarget> probeTargets(GatewayConfig config) {
        List<ProbeTarget> targets = new ArrayList<>();
        if (config.backend().equals("imap")) {
            if (!config.text(ImapBackend.IMAP_URL).isEmpty()) {
                targets.add(BackendProbes.imap(config.text(ImapBackend.IMAP_URL)));
            }
            if (!config.text(ImapBackend.SMTP_URL).isEmpty()) {
                targets.add(BackendProbes.smtp(config.text(ImapBackend.SMTP_URL)));
            }
        }
        if (!config.text(DavOptions.URL).isEmpty()) {
            targets.add(BackendProbes.dav(config.text(DavOptions.URL)));
        }
        if (!config.text(SieveOptions.URL).isEmpty()) {
            targets.add(BackendProbes.sieve(config.text(SieveOptions.URL)));
        }
        if (config.text(DirectoryOptions.DIRECTORY).equals("ldap")
                && !config.text(DirectoryOptions.LDAP_URL).isEmpty()) {
            targets.add(BackendProbes.ldap(config.text(DirectoryOptions.LDAP_URL)));
        }
        if (config.clustered()) {
            targets.addAll(BackendProbes.redis(config.redis()));
        }
        return targets;
    }

    /** The probes' failures, logged; waits on the starting thread (never an event loop), at most the timeout. */
    private static List<ProbeResult> awaitProbes(CompletableFuture<List<ProbeResult>> probes, Duration timeout) {
        try {
            return BackendProbes.report(probes.get(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing the backends", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("probing the backends failed: " + e, e);
        }
    }

    /** The demo backend of a single node: accounts, seeded mailboxes, state. */
    public static MemoryBackend memoryBackend(GatewayConfig config, Clock clock) {
        MemoryAccounts accounts = MemoryAccounts.of(
                config.anyUserMode() ? Optional.of(config.memoryPassword()) : Optional.empty(),
                config.memoryDomain(), config.demoPassword());
        String seed = config.text(GatewayOptions.MEMORY_SEED);
        MailboxSeeder seeder = switch (seed) {
            case "demo" -> new DemoMailbox(clock, config.memoryDomain());
            case "folders" -> MailboxSeeder.STANDARD_FOLDERS;
            default -> throw new IllegalArgumentException("memory.seed must be demo or folders, got '" + seed + "'");
        };
        return MemoryBackend.create(clock, accounts, seeder, change -> { });
    }

    private static Services services(GatewayConfig config, MemoryBackend memory, Clock clock,
                                     UnaryOperator<StateStore> decorateState) {
        ChangeBus bus;
        StateStore openedState;
        if (config.clustered()) {
            // any node serves any device: state and change events are shared through Redis; a Redis down at start
            // is waited for in the background (503 + Retry-After meanwhile), as an outage later is ridden out
            DeferredRedis redis = DeferredRedis.connect(config.redis());
            bus = redis.bus();
            openedState = redis.stateStore();
            LOG.info("state store: Redis (--redis), shared by every node");
        } else {
            // a single node: its devices' keys and sync state outlive a restart or a crash in its data directory
            bus = new InProcessChangeBus();
            DiskStateStore disk = StateOptions.open(config);
            openedState = disk;
            LOG.info("state store: {}", disk);
        }
        try {
            return services(config, memory, clock, bus, openedState, decorateState.apply(openedState));
        } catch (RuntimeException e) {
            close(openedState);
            bus.close();
            throw e;
        }
    }

    private static Services services(GatewayConfig config, MemoryBackend memory, Clock clock, ChangeBus nodeBus,
                                     StateStore openedState, StateStore state) {
        ChangeBus bus = nodeBus;
        Accounts accounts = memory.accounts();
        MailStore baseStore = memory.mailStore();
        Optional<OutgoingMail> outgoing = Optional.empty();
        ImapBackend.Parts imap = null;
        if (config.backend().equals("imap")) {
            imap = ImapBackend.create(config, bus, clock);
            accounts = imap.accounts();
            baseStore = imap.mailStore();
            bus = imap.bus(); // closing the node's bus closes the IMAP backend
            outgoing = Optional.ofNullable(imap.outgoing());
        }
        GatewayMetrics metrics = new GatewayMetrics();
        HeartbeatHub hub = new HeartbeatHub(bus, (outcome, latencyMillis) ->
                metrics.wake(outcome.reason().name().toLowerCase(java.util.Locale.ROOT), latencyMillis));
        List<AutoCloseable> resources = new java.util.ArrayList<>();
        // the fallback watchers poll only the users parked on this node (the hub's view); closed before the bus
        if (imap != null) {
            ImapBackend.watcher(config, imap.mailStore(), bus, hub).ifPresent(resources::add);
        }
        DavBackend.Parts dav = DavBackend.wrap(config, accounts, baseStore, bus, hub, clock, resources::add);
        accounts = dav.accounts();
        baseStore = dav.store();
        OutOfOfficeBackend.Parts oof = OutOfOfficeBackend.create(config, accounts,
                imap == null ? null : imap.accounts(), state, resources::add);
        accounts = oof.accounts();
        // every write through the gateway wakes the user's other devices (not the writing one), whatever the store
        MailStore mailStore = new ChangePublishingMailStore(baseStore, bus, RequestMdc::device);
        metrics.parkedGauge("Ping", hub, h -> h.parked("Ping"));
        metrics.parkedGauge("Sync", hub, h -> h.parked("Sync"));
        metrics.busConnectedGauge(config.clustered() ? "redis" : "in-process", bus::connected);
        if (openedState instanceof AutoCloseable closeable) {
            resources.add(closeable); // the store itself, whatever wraps it
        }
        PolicyResolver policies = policies(config, state, resources::add);
        return new Services(accounts, mailStore, state, bus, hub, metrics, config, clock, outgoing, oof.store(),
                policies, List.copyOf(resources));
    }

    /** Loop detection over the node's state store (loop.repeats, loop.item-failures). */
    static LoopGuard loopGuard(Services services) {
        GatewayConfig config = services.config();
        return new LoopGuard(services.stateStore(), (int) config.number(LoopOptions.REPEATS),
                (int) config.number(LoopOptions.ITEM_FAILURES), services.clock());
    }

    /**
     * The policy sets and who gets which: the LDAP lookups (when policy.ldap.group.* or policy.ldap.attribute is
     * set) use the directory.ldap.* server and run on a small scheduler of their own.
     */
    static PolicyResolver policies(GatewayConfig config, StateStore state, Consumer<AutoCloseable> resources) {
        PolicySets sets = PolicySets.from(config);
        String attribute = config.text(PolicyOptions.LDAP_ATTRIBUTE);
        Memberships directory = null;
        if (!sets.groups().isEmpty() || !attribute.isEmpty()) {
            if (!sets.enabled()) {
                throw new IllegalArgumentException("policy.ldap.attribute needs policy.sets");
            }
            if (config.text(DirectoryOptions.LDAP_URL).isEmpty() || config.text(DirectoryOptions.LDAP_BASE).isEmpty()) {
                throw new IllegalArgumentException("policy.ldap.* needs directory.ldap.url and directory.ldap.base");
            }
            Scheduler ldap = Schedulers.newBoundedElastic(4, 10_000, "policy-ldap");
            resources.accept(ldap::dispose);
            directory = new LdapMemberships(new LdapMemberships.Settings(config.text(DirectoryOptions.LDAP_URL),
                    config.text(DirectoryOptions.LDAP_BASE), config.text(DirectoryOptions.LDAP_BIND_DN),
                    config.text(DirectoryOptions.LDAP_PASSWORD), config.text(PolicyOptions.LDAP_USER_FILTER),
                    List.copyOf(sets.groups().values()), attribute), ldap);
        }
        if (sets.enabled()) {
            LOG.info("policy sets: {} (LDAP {})", String.join(", ", sets.named().keySet()),
                    directory == null ? "not used" : "groups " + sets.groups() + ", attribute '" + attribute + "'");
        }
        return new PolicyResolver(sets, state, directory, attribute, config.seconds(PolicyOptions.LDAP_REFRESH));
    }

    private static void closeShared(Services services) {
        for (AutoCloseable resource : services.resources()) {
            close(resource);
        }
        services.changeBus().close();
    }

    private static void close(Object resource) {
        if (resource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", resource, e.toString());
            }
        }
    }

    /** Every implemented command's handler, in MS-ASCMD order. OPTIONS advertises exactly these. */
    static List<CommandHandler> handlers(Services services) {
        MailStore store = services.mailStore();
        StateStore state = services.stateStore();
        GatewayConfig config = services.config();
        OutgoingMailService outgoingMail = services.outgoingMail()
                .map(outgoing -> new OutgoingMailService(store, outgoing, services.clock()))
                .orElseGet(() -> OutgoingMailService.local(services.accounts(), store, services.clock()));
        FolderHierarchy hierarchy = new FolderHierarchy(store, state);
        PendingChanges pending = new PendingChanges(store, state, services.clock());
        HeartbeatBounds heartbeatBounds = new HeartbeatBounds(config.heartbeatMin(), config.heartbeatMax());
        dev.easgate.backends.directory.Directory directory = DirectoryOptions.directory(config);
        int maxResults = (int) config.number(DirectoryOptions.SEARCH_MAX_RESULTS);
        Duration searchTimeout = config.seconds(DirectoryOptions.SEARCH_TIMEOUT);
        return List.of(
                new SyncHandler(store, state, config, new ParkingSyncWait(services.heartbeat(), services.clock()),
                        new OrganizerNotices(outgoingMail.outgoing(), services.clock()), loopGuard(services)),
                new SendMailHandler(outgoingMail),
                new SmartForwardHandler(outgoingMail),
                new SmartReplyHandler(outgoingMail),
                new GetAttachmentHandler(store),
                new FolderSyncHandler(hierarchy),
                new FolderCreateHandler(hierarchy),
                new FolderDeleteHandler(hierarchy),
                new FolderUpdateHandler(hierarchy),
                new MoveItemsHandler(store, new KnownItems(state)),
                new GetItemEstimateHandler(store, state, pending),
                new MeetingResponseHandler(store, outgoingMail.outgoing(), services.clock()),
                new SearchHandler(store, directory, maxResults, searchTimeout),
                new SettingsHandler(state, services.outOfOffice()),
                new PingHandler(store, state, pending, heartbeatBounds, config.pingMaxFolders(), services.heartbeat(),
                        config.parkedMax(), config.retryAfter()),
                new ItemOperationsHandler(store),
                new ProvisionHandler(state, services.policies()),
                new ResolveRecipientsHandler(store, directory, services.accounts(), searchTimeout),
                ValidateCertHandler.fromConfig(config),
                new FindHandler(store, directory));
    }

    public int port() {
        return server.port();
    }

    /** The EAS port's listen backlog as asked of the kernel ({@code http.accept-backlog}). */
    public int acceptBacklog() {
        return server.acceptBacklog();
    }

    /** The memory backend's LMTP port ({@code memory.lmtp-port}), or -1 when it is off. */
    public int lmtpPort() {
        return operations.lmtpPort();
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

    /** The admin API's port, or -1 when it is off. */
    public int adminPort() {
        return operations.adminPort();
    }

    /** Whether the node takes new requests (what {@code /readyz} answers). */
    public Readiness readiness() {
        return readiness;
    }

    /**
     * Graceful stop (SIGTERM): {@code /readyz} answers 503 at once; when requests are parked, wait
     * {@code shutdown.ready-delay} so that load balancers polling it stop sending here; then answer every parked
     * request (Ping status 1) so phones reconnect, through the balancer to another node; stop accepting; wait up to
     * the configured grace for requests in progress; close the bus.
     */
    @Override
    public void close() {
        readiness.markDraining();
        Duration readyDelay = config.seconds(HealthOptions.READY_DELAY);
        if (services.heartbeat().parked() > 0 && !readyDelay.isZero()) {
            LOG.info("draining: /readyz answers 503; answering {} parked requests in {} s",
                    services.heartbeat().parked(), readyDelay.toSeconds());
            try {
                Thread.sleep(readyDelay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int parked = services.heartbeat().parked();
        services.heartbeat().drain();
        LOG.info("draining: answered {} parked requests, waiting up to {} s for {} in progress", parked,
                config.shutdownGrace().toSeconds(), endpoint.inFlight());
        server.stop(config.shutdownGrace().isZero() ? Duration.ofMillis(1) : config.shutdownGrace());
        operations.close();
        closeShared(services);
        LOG.info("stopped");
    }
}
