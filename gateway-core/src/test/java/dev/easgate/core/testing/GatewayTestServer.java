package dev.easgate.core.testing;

import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.server.Gateway;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** A real gateway on a free loopback port for integration tests; close it when done. */
public final class GatewayTestServer implements AutoCloseable {
    private final Gateway gateway;

    private GatewayTestServer(Gateway gateway) {
        this.gateway = gateway;
    }

    /** Starts with the defaults plus {@code overrides} (option key to value), on a free port. */
    public static GatewayTestServer start(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(overrides);
        values.putIfAbsent("port", "0");
        return new GatewayTestServer(Gateway.start(GatewayConfig.from(values)));
    }

    public static GatewayTestServer start() {
        return start(Map.of());
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + gateway.port());
    }

    public Gateway gateway() {
        return gateway;
    }

    /** A client for a demo account ({@code demo}, {@code alice}, {@code bob}; password {@code demo}). */
    public EasTestClient client(String user, String deviceId) {
        return new EasTestClient(uri(), user, "demo", deviceId);
    }

    public EasTestClient client(String user, String password, String deviceId) {
        return new EasTestClient(uri(), user, password, deviceId);
    }

    @Override
    public void close() {
        gateway.close();
    }
}
