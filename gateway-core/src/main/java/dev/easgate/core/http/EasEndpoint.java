package dev.easgate.core.http;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.state.StateStoreUnavailableException;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRegistry;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.StoreFailures;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.heartbeat.ParkSignal;
import dev.easgate.core.limits.ConcurrencyLimits.Refusal;
import dev.easgate.backends.logging.LogText;
import dev.easgate.core.logging.RequestMdc;
import dev.easgate.core.metrics.GatewayMetrics;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.WbxmlException;
import dev.easgate.wbxml.WbxmlLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The {@code /Microsoft-Server-ActiveSync} endpoint (MS-ASHTTP): OPTIONS, and POST through authentication, the
 * query, the device record, provisioning enforcement, WBXML decoding, the command handler and WBXML encoding.
 * Each refusal gets the status MS-ASHTTP prescribes and one log line saying why.
 */
public final class EasEndpoint {
    public static final String PATH = "/Microsoft-Server-ActiveSync";
    static final String WBXML = "application/vnd.ms-sync.wbxml";
    static final String SERVER_VERSION = "16.1";
    private static final HttpResponseStatus RETRY_WITH = new HttpResponseStatus(449, "Retry With");
    private static final Logger LOG = LoggerFactory.getLogger(EasEndpoint.class);

    private final CommandRegistry commands;
    private final StateStore state;
    private final GatewayConfig config;
    private final Clock clock;
    private final WbxmlDecoder decoder;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final GatewayMetrics metrics;
    /** HTTP methods with a request metric label of their own (RFC 9110 section 9). */
    private static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "PUT", "DELETE", "CONNECT", "TRACE",
            "PATCH");
    private final DeviceRecordCache recentDevices = new DeviceRecordCache(200_000);
    private final FrontGuards guards;
    private final ThrottledLogin logins;
    /** Parked requests' connections taken out of Reactor Netty while they wait. */
    private final ParkedConnections parkedConnections = new ParkedConnections();
    /** A parked request holds no worker: it leaves the in-flight count while parked. */
    private final ParkSignal parkSignal = new ParkSignal() {
        @Override
        public void parked() {
            inFlight.decrementAndGet();
        }

        @Override
        public void unparked() {
            inFlight.incrementAndGet();
        }
    };

    public EasEndpoint(CommandRegistry commands, Accounts accounts, StateStore state, GatewayConfig config,
                       Clock clock, GatewayMetrics metrics) {
        this(commands, accounts, state, config, clock, metrics, FrontGuards.permissive());
    }

    public EasEndpoint(CommandRegistry commands, Accounts accounts, StateStore state, GatewayConfig config,
                       Clock clock, GatewayMetrics metrics, FrontGuards guards) {
        this.guards = Objects.requireNonNull(guards, "guards");
        RequestMdc.install();
        this.logins = new ThrottledLogin(accounts, guards, metrics, this::knownDevice);
        this.metrics = metrics;
        this.commands = commands;
        this.state = state;
        this.config = config;
        this.clock = clock;
        this.decoder = new WbxmlDecoder(WbxmlLimits.DEFAULT.withMaxDepth(config.wbxmlMaxDepth())
                .withMaxElements(config.wbxmlMaxElements()));
    }

    /**
     * Called by the server while it sets up each new connection: lets parked requests' connections be taken out of
     * Reactor Netty while they wait and set up again after ({@link ParkedConnections}).
     */
    void connectionInit(Channel channel) {
        parkedConnections.capture(channel);
    }

    ParkedConnections parkedConnections() {
        return parkedConnections;
    }

    /** Requests being processed now. */
    public int inFlight() {
        return inFlight.get();
    }

    public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        HttpMethod method = request.method();
        Publisher<Void> result;
        String label;
        if (HttpMethod.OPTIONS.equals(method)) {
            label = "OPTIONS";
            result = options(request, response);
        } else if (!HttpMethod.POST.equals(method)) {
            // a client may send any token as a method: only the standard ones get a metric label of their own
            label = STANDARD_METHODS.contains(method.name()) ? method.name() : "other";
            response.header("Allow", "OPTIONS,POST");
            result = response.status(HttpResponseStatus.METHOD_NOT_ALLOWED).send();
        } else {
            label = commandLabel(request.uri());
            result = post(request, response);
        }
        return Mono.from(result).doFinally(signal -> metrics.request(label, response.status().code()));
    }

    /** The command for metrics, without parsing the whole query a second time; base64 queries are labelled so. */
    private static String commandLabel(String uri) {
        int cmd = uri.indexOf("Cmd=");
        if (cmd < 0) {
            return uri.indexOf('?') < 0 ? "none" : "base64";
        }
        int end = uri.indexOf('&', cmd);
        String name = uri.substring(cmd + 4, end < 0 ? uri.length() : end);
        EasCommand command = EasCommand.ofWireName(name);
        return command == null ? "unknown" : command.wireName();
    }

    private Publisher<Void> options(HttpServerRequest request, HttpServerResponse response) {
        BasicCredentials credentials = BasicCredentials.parse(request.requestHeaders().get("Authorization"));
        String address = clientAddress(request);
        return Mono.defer(() -> login(credentials, address))
                .flatMap(account -> {
            if (account.isEmpty()) {
                return unauthorized(response, credentials, "OPTIONS", address);
            }
            response.header("Allow", "OPTIONS,POST")
                    .header("Public", "OPTIONS,POST")
                    .header("MS-Server-ActiveSync", SERVER_VERSION)
                    .header("MS-ASProtocolVersions", ProtocolVersion.advertised())
                    .header("MS-ASProtocolCommands", commands.advertised());
            return response.status(HttpResponseStatus.OK).send().then();
        }).onErrorResume(ThrottledLogin.RefusedException.class, e -> logins.refused(response, credentials, address, e))
                .onErrorResume(MailStoreException.class, e -> loginUnavailable(response, credentials, "OPTIONS", e))
                .transform(RequestMdc::restoring)
                .contextWrite(c -> RequestMdc.with(c, credentials == null ? null : credentials.user(), null,
                        "OPTIONS"));
    }

    /** The client's address: the peer, or what a trusted reverse proxy says (proxy.trusted). */
    public String clientAddress(HttpServerRequest request) {
        return logins.clientAddress(request);
    }

    /** The throttled Basic login of this front, for the other fronts that check passwords (Autodiscover). */
    public ThrottledLogin logins() {
        return logins;
    }

    private Mono<Optional<Account>> login(BasicCredentials credentials, String address) {
        return logins.login(credentials, address);
    }

    /**
     * A device that logged in to the account before: it has a device record (made on its first authenticated
     * request). With the state store down, this node's last copy answers.
     */
    private Mono<Boolean> knownDevice(String user, String deviceId) {
        DeviceKey key = new DeviceKey(user, deviceId);
        return state.device(key).hasElement()
                .onErrorResume(e -> Mono.just(recentDevices.get(key) != null));
    }

    private Mono<Void> unauthorized(HttpServerResponse response, BasicCredentials credentials, String what,
                                    String address) {
        if (credentials == null) {
            LOG.info("401 for {}: no Basic credentials from={}", what, address);
        } else {
            LOG.info("401 for {}: bad credentials for user={} from={}", what, LogText.escape(credentials.user()),
                    address);
        }
        return response.status(HttpResponseStatus.UNAUTHORIZED)
                .header("WWW-Authenticate", "Basic realm=\"ActiveSync\"")
                .send().then();
    }

    private Publisher<Void> post(HttpServerRequest request, HttpServerResponse response) {
        BasicCredentials credentials = BasicCredentials.parse(request.requestHeaders().get("Authorization"));
        String claimedUser = credentials == null ? null : credentials.user();
        EasQuery query;
        try {
            query = EasQueryParser.parse(queryOf(request.uri()));
        } catch (EasQueryParser.BadQueryException e) {
            try (RequestMdc.Scope tags = RequestMdc.open(claimedUser, null, null)) {
                LOG.info("400 bad query: {}", e.getMessage());
            }
            return response.status(HttpResponseStatus.BAD_REQUEST).send();
        }
        // the checks before the request's Reactor chain starts log with the tags set on this thread; from the
        // chain on they travel in its Context and with its tasks (RequestMdc)
        try (RequestMdc.Scope tags = RequestMdc.open(claimedUser, query.deviceId(), query.command().wireName())) {
            return post(request, response, query, credentials);
        }
    }

    private Publisher<Void> post(HttpServerRequest request, HttpServerResponse response, EasQuery query,
                                 BasicCredentials credentials) {
        ProtocolVersion version = query.version();
        if (version == null) {
            String header = request.requestHeaders().get("MS-ASProtocolVersion");
            version = ProtocolVersion.ofHeader(header);
            if (version == null) {
                LOG.info("400 for cmd={} device={}: MS-ASProtocolVersion '{}' is missing or unsupported",
                        query.command().wireName(), query.deviceId(), LogText.escape(header));
                return response.status(HttpResponseStatus.BAD_REQUEST).send();
            }
        }
        long declared = contentLength(request);
        if (declared > config.maxRequestBytes()) {
            LOG.info("413 for cmd={} device={}: body of {} bytes is over the limit of {}",
                    query.command().wireName(), query.deviceId(), declared, config.maxRequestBytes());
            return response.status(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE).send();
        }
        if (inFlight.incrementAndGet() > config.maxConcurrentRequests()) {
            inFlight.decrementAndGet();
            LOG.warn("503 for cmd={} device={}: {} requests in flight", query.command().wireName(),
                    query.deviceId(), config.maxConcurrentRequests());
            return response.status(HttpResponseStatus.SERVICE_UNAVAILABLE)
                    .header("Retry-After", Long.toString(config.retryAfter().toSeconds()))
                    .send();
        }
        ProtocolVersion negotiated = version;
        String address = clientAddress(request);
        // the handler chain completes empty (Mono<Void>): decide on the account first, never with switchIfEmpty
        String command = query.command().wireName();
        Exchange exchange = new Exchange(detachable(request), parkedConnections, inFlight);
        Mono<Void> pipeline = Mono.defer(() -> logins.login(credentials, address, query.deviceId()))
                .flatMap(account -> account.isEmpty() ? unauthorized(response, credentials, command, address)
                        : account.get().user().equals(credentials.user())
                        ? admitted(request, response, query, negotiated, account.get(), exchange)
                        // the tags name the user as the directory spells it, when that differs from the login
                        : admitted(request, response, query, negotiated, account.get(), exchange)
                                .transform(RequestMdc::restoring)
                                .contextWrite(c -> RequestMdc.with(c, account.get().user(), query.deviceId(), command)))
                .onErrorResume(ThrottledLogin.RefusedException.class, e -> logins.refused(response, credentials, address, e))
                // the command's own failures are answered inside admitted(); a store error here is the login's
                .onErrorResume(MailStoreException.class, e -> loginUnavailable(response, credentials, command, e))
                .transform(RequestMdc::restoring)
                .contextWrite(Context.of(ParkSignal.class, parkSignal).put(RequestMdc.CONTEXT_KEY,
                        new RequestMdc.Tags(credentials == null ? null : credentials.user(), query.deviceId(),
                                command)));
        // a parked request's pipeline completes and is let go; its answer waits and is sent by the ExchangeMono
        return new ExchangeMono(pipeline, exchange);
    }

    /**
     * The request's connection when it may wait outside Reactor Netty if the request parks: HTTP/1.1 kept alive (the
     * answer written raw then leaves it open); null otherwise.
     */
    private static Channel detachable(HttpServerRequest request) {
        if (!HttpVersion.HTTP_1_1.equals(request.version()) || !request.isKeepAlive()) {
            return null;
        }
        Channel[] channel = new Channel[1];
        request.withConnection(connection -> channel[0] = connection.channel());
        return channel[0];
    }

    private static String queryOf(String uri) {
        int question = uri.indexOf('?');
        return question < 0 ? "" : uri.substring(question + 1);
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.requestHeaders().get("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * An authenticated request: refused when an administrator blocked the device (MS-ASCMD common status 129
     * DeviceIsBlockedForThisUser from 14.0, HTTP 403 before) or when the device or user has too many requests open
     * (HTTP 503 + Retry-After); otherwise served while holding a slot of both.
     */
    private Mono<Void> admitted(HttpServerRequest request, HttpServerResponse response, EasQuery query,
                                ProtocolVersion version, Account account, Exchange exchange) {
        String userAgent = headerOr(request, "User-Agent", "");
        String blocked = guards.blocks().blocked(account.user(), query.deviceId(), query.deviceType(), userAgent);
        if (blocked != null) {
            metrics.refusal("blocked");
            LOG.info("refused user={} device={} cmd={}: blocked ({})", account.user(), query.deviceId(),
                    query.command().wireName(), blocked);
            if (!version.atLeast(ProtocolVersion.V14_0) || query.command().page() == null) {
                return response.status(HttpResponseStatus.FORBIDDEN).send().then();
            }
            return send(response, CommandResponse.ok(WbxmlElement.el(query.command().page(),
                    query.command().root()).child("Status", 129).build()));
        }
        return guards.concurrency().admit(account.user(), query.deviceId()).flatMap(refusal -> {
            if (refusal.isPresent()) {
                return busy(response, query, account, refusal.get());
            }
            // the slots are held until the answer is sent, a parked request's too
            exchange.holdSlots(guards.concurrency(), account.user(), query.deviceId());
            return authorized(request, response, query, version, account, exchange);
        });
    }

    private Mono<Void> busy(HttpServerResponse response, EasQuery query, Account account, Refusal refusal) {
        metrics.refusal(refusal == Refusal.DEVICE ? "device_concurrency" : "user_concurrency");
        LOG.warn("503 for user={} device={} cmd={}: too many requests open for this {}", account.user(),
                query.deviceId(), query.command().wireName(), refusal.name().toLowerCase(Locale.ROOT));
        return response.status(HttpResponseStatus.SERVICE_UNAVAILABLE)
                .header("Retry-After", Long.toString(config.retryAfter().toSeconds()))
                .send().then();
    }

    private Mono<Void> authorized(HttpServerRequest request, HttpServerResponse response, EasQuery query,
                                  ProtocolVersion version, Account account, Exchange exchange) {
        CommandHandler handler = commands.handler(query.command());
        if (handler == null) {
            LOG.info("501 for user={} device={}: command {} is not implemented", account.user(), query.deviceId(),
                    query.command().wireName());
            return response.status(HttpResponseStatus.NOT_IMPLEMENTED).send().then();
        }
        DeviceKey key = new DeviceKey(account.user(), query.deviceId());
        String userAgent = headerOr(request, "User-Agent", "");
        return device(key, query, version, userAgent).flatMap(device -> {
            Long policyKey = query.policyKey() != null ? query.policyKey() : policyKeyHeader(request);
            ProvisioningCheck.Verdict verdict = ProvisioningCheck.check(config.provisionRequired(), query.command(),
                    device, policyKey);
            if (verdict != ProvisioningCheck.Verdict.OK) {
                return mustProvision(response, query, version, device, verdict);
            }
            Mono<Void> proceed = withBody(request, response, query, body -> dispatch(handler, request, response,
                    query, version, account, device, body, exchange));
            if (!config.provisionRequired() || query.command() == EasCommand.PROVISION) {
                return proceed;
            }
            // a device whose policy set changed provisions again: 142 from 14.0, 449 before (MS-ASPROV 3.1.5.1)
            return guards.policy().current(device).flatMap(current -> current ? proceed
                    : mustProvision(response, query, version, device, ProvisioningCheck.Verdict.NOT_PROVISIONED));
        }).onErrorResume(TooManyDevicesException.class, e -> tooManyDevices(response, query, version, key))
                .onErrorResume(StateStoreUnavailableException.class,
                        e -> stateUnavailable(response, query, account.user(), e));
    }

    private static String headerOr(HttpServerRequest request, String name, String fallback) {
        String value = request.requestHeaders().get(name);
        return value == null ? fallback : value;
    }

    private static Long policyKeyHeader(HttpServerRequest request) {
        String value = request.requestHeaders().get("X-MS-PolicyKey");
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    /** Loads the device, creating it on its first request and recording a changed User-Agent or version. */
    private Mono<DeviceRecord> device(DeviceKey key, EasQuery query, ProtocolVersion version, String userAgent) {
        return state.device(key)
                .flatMap(existing -> {
                    if (existing.userAgent().equals(userAgent) && existing.deviceType().equals(query.deviceType())
                            && existing.protocolVersion().equals(version.header())) {
                        return Mono.just(existing);
                    }
                    DeviceRecord updated = existing.withClient(query.deviceType(), userAgent, version.header());
                    return state.putDevice(updated).thenReturn(updated);
                })
                .switchIfEmpty(state.devices(key.user()).count().flatMap(devices -> {
                    if (devices >= config.devicesMaxPerUser()) {
                        return Mono.error(new TooManyDevicesException());
                    }
                    DeviceRecord created = DeviceRecord.first(key, query.deviceType(), userAgent, version.header(),
                            clock.instant());
                    LOG.info("new device user={} device={} type={} agent={}", key.user(), key.deviceId(),
                            LogText.escape(query.deviceType()), LogText.escape(userAgent));
                    return state.putDevice(created).thenReturn(created);
                }))
                .doOnNext(recentDevices::put)
                .onErrorResume(StateStoreUnavailableException.class, e -> {
                    DeviceRecord known = recentDevices.get(key);
                    if (known == null) {
                        return Mono.error(e);
                    }
                    LOG.warn("state store unavailable, serving user={} device={} from this node's last copy: {}",
                            key.user(), key.deviceId(), e.getMessage());
                    return Mono.just(known);
                });
    }

    /** MS-ASHTTP 3.2.5.1: 503 with Retry-After when the server cannot serve now (here: the state store is down). */
    private Mono<Void> stateUnavailable(HttpServerResponse response, EasQuery query, String user, Throwable e) {
        return stateUnavailable(response, user, query.deviceId(), query.command().wireName(), e);
    }

    private Mono<Void> stateUnavailable(HttpServerResponse response, String user, String deviceId, String command,
                                        Throwable e) {
        LOG.warn("503 for user={} device={} cmd={}: state store unavailable: {}", user, deviceId, command,
                e.getMessage());
        return response.status(HttpResponseStatus.SERVICE_UNAVAILABLE)
                .header("Retry-After", Long.toString(config.retryAfter().toSeconds()))
                .send().then();
    }

    /**
     * The account store (the IMAP server checking the password) did not answer the login: MS-ASHTTP 3.2.5.1 503 with
     * Retry-After, so the phone retries later instead of taking a 500 as a server fault or a 401 as a wrong password.
     */
    private Mono<Void> loginUnavailable(HttpServerResponse response, BasicCredentials credentials, String command,
                                        MailStoreException e) {
        LOG.warn("503 for user={} cmd={}: the login could not be checked: {}",
                credentials == null ? null : credentials.user(), command, e.getMessage());
        return response.status(HttpResponseStatus.SERVICE_UNAVAILABLE)
                .header("Retry-After", Long.toString(config.retryAfter().toSeconds()))
                .send().then();
    }

    private static final class TooManyDevicesException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManyDevicesException() {
            super("too many devices", null, false, false);
        }
    }

    /**
     * MS-ASCMD 2.2.3.177.4 common status 177 (MaximumDevicesReached) for 14.0+; older clients get HTTP 403, the
     * closest they understand.
     */
    private Mono<Void> tooManyDevices(HttpServerResponse response, EasQuery query, ProtocolVersion version,
                                      DeviceKey key) {
        LOG.warn("refused new device user={} device={}: the user already has {} devices", key.user(),
                key.deviceId(), config.devicesMaxPerUser());
        if (!version.atLeast(ProtocolVersion.V14_0) || query.command().page() == null) {
            return response.status(HttpResponseStatus.FORBIDDEN).send().then();
        }
        return send(response, CommandResponse.ok(WbxmlElement.el(query.command().page(), query.command().root())
                .child("Status", 177).build()));
    }

    /**
     * MS-ASPROV 3.2.5.1.2 / MS-ASHTTP 3.2.5.1: before 14.0 a device that must provision gets HTTP 449; from 14.0 on
     * it gets the command's response with status 142 (no policy key), 144 (stale key) or 140 (wipe requested).
     */
    private Mono<Void> mustProvision(HttpServerResponse response, EasQuery query, ProtocolVersion version,
                                     DeviceRecord device, ProvisioningCheck.Verdict verdict) {
        LOG.info("provisioning required for user={} device={} cmd={}: {}", device.key().user(),
                device.key().deviceId(), query.command().wireName(), verdict);
        if (!version.atLeast(ProtocolVersion.V14_0) || query.command().page() == null) {
            return response.status(RETRY_WITH).send().then();
        }
        WbxmlElement body = WbxmlElement.el(query.command().page(), query.command().root())
                .child("Status", verdict.status())
                .build();
        return send(response, CommandResponse.ok(body));
    }

    /** Reads the body within the size limit, keeps it alive while {@code use} runs, releases it after. */
    private Mono<Void> withBody(HttpServerRequest request, HttpServerResponse response, EasQuery query,
                                java.util.function.Function<ByteBuf, Mono<Void>> use) {
        return Mono.usingWhen(readBody(request), use, body -> Mono.fromRunnable(() -> body.release()))
                .onErrorResume(BodyTooLargeException.class, e -> {
                    LOG.info("413 for cmd={} device={}: body over the limit of {} bytes",
                            query.command().wireName(), query.deviceId(), config.maxRequestBytes());
                    return response.status(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE).send().then();
                });
    }

    private Mono<ByteBuf> readBody(HttpServerRequest request) {
        return Mono.defer(() -> {
            // read by a subscriber of its own: the connection keeps a reference to whoever read its body, and that
            // must not be this request's pipeline, which a parked request lets go
            BodyReader reader = new BodyReader(config.maxRequestBytes());
            request.receive().retain().subscribe(reader);
            // the body's last chunk arrives on the event loop, which serves other requests meanwhile
            return RequestMdc.restoring(reader.body());
        });
    }

    static final class BodyTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException() {
            super("request body too large", null, false, false);
        }
    }

    private Mono<Void> dispatch(CommandHandler handler, HttpServerRequest request, HttpServerResponse response,
                                EasQuery query, ProtocolVersion version, Account account, DeviceRecord device,
                                ByteBuf body, Exchange exchange) {
        String contentType = headerOr(request, "Content-Type", "");
        WbxmlElement decoded = null;
        if (body.isReadable() && isWbxml(contentType, body)) {
            try {
                decoded = decoder.decode(body.duplicate());
            } catch (WbxmlException e) {
                LOG.info("400 for user={} device={} cmd={}: malformed WBXML: {}", account.user(), query.deviceId(),
                        query.command().wireName(), e.getMessage());
                return response.status(HttpResponseStatus.BAD_REQUEST).send().then();
            }
        }
        // MS-ASHTTP 2.2.1.1.2.5: the plain query form asks for a multipart ItemOperations answer with this header
        EasQuery handlerQuery = "T".equalsIgnoreCase(request.requestHeaders().get("MS-ASAcceptMultiPart"))
                ? query.withParameter("AcceptMultiPart", "T") : query;
        CommandRequest commandRequest = new CommandRequest(handlerQuery, version, account, device, decoded, body,
                contentType, clock.instant());
        boolean debug = guards.debug().enabled(account.user(), query.deviceId());
        if (debug) {
            guards.debug().log(account.user(), query.deviceId(), query.command().wireName(), "request", decoded);
        }
        return answer(handler.handle(commandRequest), response, query, account, debug, exchange,
                () -> dropRequestHeaders(request));
    }

    /** Headers the connection still reads after the request was served: framing and keep-alive. */
    private static final Set<String> CONNECTION_HEADERS = Set.of("connection", "keep-alive",
            "host", "content-length", "transfer-encoding", "te", "upgrade", "expect");

    /**
     * A parked request's headers were all read before it parked; dropping the EAS ones (Authorization, User-Agent,
     * MS-ASProtocolVersion, X-MS-PolicyKey, Content-Type, ...) keeps them from being held for the whole heartbeat.
     */
    private static void dropRequestHeaders(HttpServerRequest request) {
        io.netty.handler.codec.http.HttpHeaders headers = request.requestHeaders();
        for (String name : List.copyOf(headers.names())) {
            if (!CONNECTION_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                headers.remove(name);
            }
        }
    }

    /**
     * Sends what the handler answers. A parked answer ({@link CommandResponse#parked}) is handed to the exchange
     * with this request's Context and a {@link Exchange.Reply} that keeps the response and three strings, and this
     * pipeline completes without sending: the {@link ExchangeMono} subscribes to the answer once it is gone.
     */
    private Mono<Void> answer(Mono<CommandResponse> results, HttpServerResponse response, EasQuery query,
                              Account account, boolean debug, Exchange exchange, Runnable onParked) {
        String user = account.user();
        String deviceId = query.deviceId();
        String command = query.command().wireName();
        return results
                .flatMap(result -> {
                    if (result.parked() != null) {
                        return Mono.deferContextual(context -> {
                            exchange.later(result.parked(), parkedContext(context, user),
                                    new ParkedReply(response, user, deviceId, command, debug));
                            onParked.run();
                            return Mono.<Void>empty();
                        });
                    }
                    return reply(response, user, deviceId, command, debug, result);
                })
                .onErrorResume(e -> failed(response, user, deviceId, command, e));
    }

    /**
     * The context a parked answer waits with: the request's, its log tags naming the user by the account's string
     * (which the exchange and the reply keep anyway), not by the login's equal copy of it.
     */
    private static Context parkedContext(ContextView context, String user) {
        Context parked = Context.of(context);
        RequestMdc.Tags tags = RequestMdc.of(context);
        if (tags != null && tags.user() != user && tags.user().equals(user)) {
            parked = parked.put(RequestMdc.CONTEXT_KEY, new RequestMdc.Tags(user, tags.device(), tags.command()));
        }
        return parked;
    }

    /** Answers a parked request: its response (until the connection is taken out) and three strings. */
    private final class ParkedReply implements Exchange.Reply {
        private HttpServerResponse response;
        private final String user;
        private final String deviceId;
        private final String command;
        private final boolean debug;

        ParkedReply(HttpServerResponse response, String user, String deviceId, String command, boolean debug) {
            this.response = response;
            this.user = user;
            this.deviceId = deviceId;
            this.command = command;
            this.debug = debug;
        }

        @Override
        public CommandResponse resolve(CommandResponse answer, Throwable failure) {
            if (failure != null) {
                return failure(user, deviceId, command, failure);
            }
            if (answer.parked() != null) {
                return failure(user, deviceId, command, new IllegalStateException("a parked answer parked again"));
            }
            if (debug) {
                guards.debug().log(user, deviceId, command, "response", answer.body());
            }
            return answer;
        }

        @Override
        public Mono<Void> send(CommandResponse answer) {
            HttpServerResponse to = response;
            return EasEndpoint.this.send(to, answer).onErrorResume(e -> failed(to, user, deviceId, command, e));
        }

        @Override
        public void detached() {
            response = null;
        }

        @Override
        public void written(int status) {
            metrics.request(command, status);
        }
    }

    private Mono<Void> reply(HttpServerResponse response, String user, String deviceId, String command,
                             boolean debug, CommandResponse result) {
        if (result.parked() != null) {
            return Mono.error(new IllegalStateException("a parked answer parked again"));
        }
        if (debug) {
            guards.debug().log(user, deviceId, command, "response", result.body());
        }
        return send(response, result);
    }

    /** What a failed command answers: 503 while the state store is down or the store refused the login, else 500. */
    private Mono<Void> failed(HttpServerResponse response, String user, String deviceId, String command,
                              Throwable e) {
        return send(response, failure(user, deviceId, command, e));
    }

    /** The answer to a failed command, logged: {@link #failed}. */
    private CommandResponse failure(String user, String deviceId, String command, Throwable e) {
        if (e instanceof StateStoreUnavailableException) {
            LOG.warn("503 for user={} device={} cmd={}: state store unavailable: {}", user, deviceId, command,
                    e.getMessage());
            return new CommandResponse(503, null, null, null, null,
                    Map.of("Retry-After", Long.toString(config.retryAfter().toSeconds())));
        }
        if (StoreFailures.credentialsRefused(e)) {
            // a command without its own answer to a refused backend login (logged once by the store)
            LOG.debug("503 for user={} device={} cmd={}: {}", user, deviceId, command, e.getMessage());
            return StoreFailures.serviceUnavailable();
        }
        LOG.error("500 for user={} device={} cmd={}", user, deviceId, command, e);
        return CommandResponse.http(500);
    }

    /** WBXML by content type, or by its header bytes for clients that send none (MS-ASWBXML 2.1.2). */
    private static boolean isWbxml(String contentType, ByteBuf body) {
        if (contentType.regionMatches(true, 0, WBXML, 0, WBXML.length())) {
            return true;
        }
        return contentType.isEmpty() && body.readableBytes() >= 4 && body.getByte(body.readerIndex()) == 0x03
                && body.getByte(body.readerIndex() + 1) == 0x01 && body.getByte(body.readerIndex() + 2) == 0x6A;
    }

    private Mono<Void> send(HttpServerResponse response, CommandResponse result) {
        response.status(HttpResponseStatus.valueOf(result.httpStatus()));
        response.header("MS-Server-ActiveSync", SERVER_VERSION);
        result.headers().forEach(response::header);
        if (result.body() != null) {
            ByteBuf encoded = WbxmlEncoder.encode(result.body(), response.alloc());
            response.header("Content-Type", WBXML);
            return response.send(Mono.just(encoded)).then();
        }
        if (result.raw() != null) {
            response.header("Content-Type", result.contentType());
            return response.send(Mono.just(Unpooled.wrappedBuffer(result.raw()))).then();
        }
        if (result.stream() != null) {
            // read from the store as the connection drains: one chunk in flight, none held for the whole body
            response.header("Content-Type", result.contentType());
            return response.send(result.stream().map(Unpooled::wrappedBuffer), chunk -> true).then();
        }
        return response.send().then();
    }
}
