package dev.easgate.bench.device;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * HTTP for many simulated devices: one Reactor Netty client per source address (127.0.0.2, 127.0.0.3, ...), each
 * with a connection pool sized for its share of devices, so a parked Ping holds exactly one TCP connection and no
 * thread. Devices are spread over the source addresses by their index, which keeps each (source, server) pair well
 * below the ~28k ephemeral ports Linux has for it.
 */
public final class EasTransport implements AutoCloseable {
    static final String PATH = "/Microsoft-Server-ActiveSync";
    static final String WBXML = "application/vnd.ms-sync.wbxml";

    private final List<HttpClient> clients = new ArrayList<>();
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
            HttpClient client = HttpClient.create(pool).keepAlive(true)
                    .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
            if (source != null) {
                client = client.bindAddress(() -> new InetSocketAddress(source, 0));
            }
            pools.add(pool);
            clients.add(client);
        }
    }

    public String protocolVersion() {
        return protocolVersion;
    }

    private HttpClient client(int deviceIndex) {
        return clients.get(Math.floorMod(deviceIndex, clients.size()));
    }

    /** OPTIONS: the server's protocol versions and commands (the answer's headers; the body is empty). */
    public Mono<EasResponse> options(DeviceIdentity device, int deviceIndex) {
        return client(deviceIndex)
                .headers(h -> h.set("Authorization", basic(device)).set("User-Agent", "eas-bench/1.0"))
                .request(HttpMethod.OPTIONS)
                .uri(device.server().resolve(PATH).toString())
                .responseSingle((response, body) -> body.asByteArray().defaultIfEmpty(new byte[0])
                        .map(bytes -> new EasResponse(response.status().code(), null)));
    }

    /**
     * POSTs {@code command} with a WBXML body (none when {@code body} is null); {@code policyKey} goes in
     * X-MS-PolicyKey when not null. The answer is decoded when it is WBXML. Times out after {@code timeout}. {@code onSent} (may be
     * null) runs once the request has been written.
     */
    public Mono<EasResponse> post(DeviceIdentity device, int deviceIndex, String command, String policyKey,
                                  WbxmlElement body, Duration timeout, Runnable onSent) {
        byte[] bytes = body == null ? new byte[0] : WbxmlEncoder.encode(body);
        String uri = device.server().resolve(PATH) + "?Cmd=" + command + "&User=" + encode(device.user())
                + "&DeviceId=" + encode(device.deviceId()) + "&DeviceType=EasBench";
        HttpClient client = client(deviceIndex);
        if (onSent != null) {
            client = client.doAfterRequest((request, connection) -> onSent.run());
        }
        return client
                .headers(h -> {
                    h.set("Authorization", basic(device))
                            .set("User-Agent", "eas-bench/1.0")
                            .set("MS-ASProtocolVersion", protocolVersion)
                            .set("Content-Length", bytes.length);
                    if (body != null) {
                        h.set("Content-Type", WBXML);
                    }
                    if (policyKey != null) {
                        h.set("X-MS-PolicyKey", policyKey);
                    }
                })
                .responseTimeout(timeout)
                .post()
                .uri(uri)
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(bytes)))
                .responseSingle((response, content) -> content.asByteArray().defaultIfEmpty(new byte[0])
                        .map(received -> {
                            String type = response.responseHeaders().get("Content-Type", "");
                            WbxmlElement decoded = received.length > 0 && type.startsWith(WBXML)
                                    ? WbxmlDecoder.DEFAULT.decode(received) : null;
                            return new EasResponse(response.status().code(), decoded);
                        }));
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
