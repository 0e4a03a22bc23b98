package dev.easgate.bench.device;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.context.Context;

/**
 * HTTP for many simulated devices: one Reactor Netty client per source address (127.0.0.2, 127.0.0.3, ...), each
 * with a connection pool sized for its share of devices, so a parked Ping holds exactly one TCP connection and no
 * thread. Devices are spread over the source addresses by their index, which keeps each (source, server) pair well
 * below the ~28k ephemeral ports Linux has for it.
 */
public final class EasTransport implements AutoCloseable {
    static final String PATH = "/Microsoft-Server-ActiveSync";
    static final String WBXML = "application/vnd.ms-sync.wbxml";
    private static final String USER_AGENT = "eas-bench/1.0";
    private static final AsciiString PROTOCOL_VERSION = AsciiString.cached("MS-ASProtocolVersion");
    private static final AsciiString POLICY_KEY = AsciiString.cached("X-MS-PolicyKey");
    /** Subscriber context key of a request's "written" callback. */
    private static final String ON_SENT = "eas-bench.onSent";

    private final List<HttpClient> clients = new ArrayList<>();
    /** The same clients without a pool: each request on a new connection, closed after its answer (a storm's). */
    private final List<HttpClient> freshClients = new ArrayList<>();
    private final List<ConnectionProvider> pools = new ArrayList<>();
    private final String protocolVersion;

    /**
     * @param sourceAddresses local addresses to bind (empty: let the kernel choose)
     * @param connectionsPerSource pool size per source address (at least the devices using it plus some spare)
     */
    public EasTransport(List<String> sourceAddresses, int connectionsPerSource, String protocolVersion) {
        this.protocolVersion = protocolVersion;
        List<String> sources = sourceAddresses.isEmpty() ? java.util.Collections.singletonList(null) : sourceAddresses;
        for (String source : sources) {
            ConnectionProvider pool = ConnectionProvider.builder("eas-bench-" + (source == null ? "any" : source))
                    .maxConnections(connectionsPerSource)
                    .pendingAcquireMaxCount(Math.max(1000, connectionsPerSource * 4))
                    .pendingAcquireTimeout(Duration.ofSeconds(60))
                    .maxIdleTime(Duration.ofMinutes(30))
                    .build();
            HttpClient client = configured(HttpClient.create(pool), source);
            pools.add(pool);
            clients.add(client);
            freshClients.add(configured(HttpClient.newConnection(), source));
        }
    }

    private static HttpClient configured(HttpClient base, String source) {
        HttpClient client = base.keepAlive(true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .doAfterRequest(EasTransport::afterRequest);
        if (source != null) {
            // the port is picked at connect, for the 4-tuple (IP_BIND_ADDRESS_NO_PORT), not at bind among all the
            // address's ports: a bind-time pick cannot reuse a port in TIME_WAIT, so repeated storms of 18,000
            // reconnects exhausted a source address's ports, and the kernel's search for a free one took the
            // generators' CPU (73 s in one storm) and failed connects
            client = client.bindAddress(() -> new InetSocketAddress(source, 0))
                    .option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        return client;
    }

    public String protocolVersion() {
        return protocolVersion;
    }

    private HttpClient client(int deviceIndex) {
        return client(deviceIndex, false);
    }

    private HttpClient client(int deviceIndex, boolean fresh) {
        List<HttpClient> from = fresh ? freshClients : clients;
        return from.get(Math.floorMod(deviceIndex, from.size()));
    }

    /**
     * OPTIONS: the server's protocol versions and commands (the answer's headers; the body is empty). Times out after
     * {@code timeout}.
     */
    public Mono<EasResponse> options(DeviceIdentity device, int deviceIndex, Duration timeout) {
        return client(deviceIndex)
                .headers(h -> h.set("Authorization", basic(device)).set("User-Agent", USER_AGENT))
                .responseTimeout(timeout)
                .request(HttpMethod.OPTIONS)
                .uri(device.server().resolve(PATH).toString())
                .responseSingle((response, body) -> body.asByteArray().defaultIfEmpty(new byte[0])
                        .map(bytes -> new EasResponse(response.status().code(), null)));
    }

    /**
     * A POST as it goes on the wire, built once: its URI (with the command, user and DeviceId), Authorization
     * value, X-MS-PolicyKey (null: none) and encoded WBXML body (empty: none). A device keeps its Ping this way: it
     * is the same request every time, and a storm sends it for every device at once.
     */
    public record PreparedPost(String uri, String authorization, String policyKey, byte[] body) {
    }

    /** Builds {@code command}'s request (see {@link PreparedPost}); {@code body} may be null. */
    public PreparedPost prepare(DeviceIdentity device, String command, String policyKey, WbxmlElement body) {
        return new PreparedPost(device.server().resolve(PATH) + "?Cmd=" + command + "&User=" + encode(device.user())
                + "&DeviceId=" + encode(device.deviceId()) + "&DeviceType=EasBench", basic(device), policyKey,
                body == null ? new byte[0] : WbxmlEncoder.encode(body));
    }

    /**
     * POSTs {@code command} with a WBXML body (none when {@code body} is null); {@code policyKey} goes in
     * X-MS-PolicyKey when not null. The answer is decoded when it is WBXML. Times out after {@code timeout}. {@code onSent} (may be
     * null) runs once the request has been written.
     */
    public Mono<EasResponse> post(DeviceIdentity device, int deviceIndex, String command, String policyKey,
                                  WbxmlElement body, Duration timeout, Runnable onSent) {
        return post(prepare(device, command, policyKey, body), deviceIndex, timeout, onSent);
    }

    /**
     * POSTs a prepared request (see {@link #post(DeviceIdentity, int, String, String, WbxmlElement, Duration,
     * Runnable)}). Headers, time-out and {@code onSent} are set on the request itself, not as a copy of the client's
     * configuration per request (each copy costs a few configuration objects; at 18,000 re-Pings that counted).
     */
    public Mono<EasResponse> post(PreparedPost request, int deviceIndex, Duration timeout, Runnable onSent) {
        return post(request, deviceIndex, timeout, onSent, false);
    }

    /**
     * {@link #post(PreparedPost, int, Duration, Runnable)}, on a new connection when {@code fresh} (a phone
     * reconnecting opens one; a pooled connection could be one whose earlier request was given up but not yet
     * closed, and a second request on it would reach the server while the first is still parked there).
     */
    public Mono<EasResponse> post(PreparedPost request, int deviceIndex, Duration timeout, Runnable onSent,
                                  boolean fresh) {
        byte[] bytes = request.body();
        Mono<EasResponse> answer = client(deviceIndex, fresh)
                .post()
                .uri(request.uri())
                .send((out, outbound) -> {
                    out.responseTimeout(timeout);
                    HttpHeaders headers = out.requestHeaders();
                    headers.set(HttpHeaderNames.AUTHORIZATION, request.authorization())
                            .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                            .set(PROTOCOL_VERSION, protocolVersion)
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
                    if (bytes.length > 0) {
                        headers.set(HttpHeaderNames.CONTENT_TYPE, WBXML);
                    }
                    if (request.policyKey() != null) {
                        headers.set(POLICY_KEY, request.policyKey());
                    }
                    return bytes.length == 0 ? outbound : outbound.send(Mono.just(Unpooled.wrappedBuffer(bytes)));
                })
                .responseSingle((response, content) -> content.asByteArray().defaultIfEmpty(new byte[0])
                        .map(received -> {
                            String type = response.responseHeaders().get("Content-Type", "");
                            WbxmlElement decoded = received.length > 0 && type.startsWith(WBXML)
                                    ? WbxmlDecoder.DEFAULT.decode(received) : null;
                            return new EasResponse(response.status().code(), decoded);
                        }));
        return onSent == null ? answer : answer.contextWrite(Context.of(ON_SENT, onSent));
    }

    /** Runs the request's {@code onSent} (from its subscriber context), once the request has been written. */
    private static void afterRequest(HttpClientRequest request, Connection connection) {
        request.currentContextView().<Runnable>getOrEmpty(ON_SENT).ifPresent(Runnable::run);
    }

    private static String basic(DeviceIdentity device) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (device.user() + ":" + device.password()).getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        pools.forEach(pool -> pool.disposeLater().block(Duration.ofSeconds(5)));
    }
}
