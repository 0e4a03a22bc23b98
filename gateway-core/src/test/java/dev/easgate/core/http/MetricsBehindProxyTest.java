package dev.easgate.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.GatewayTestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /metrics over real HTTP judges the client after proxy.trusted is applied: through a trusted proxy, the address it
 * forwarded decides; from an untrusted peer, the peer's own address decides whatever X-Forwarded-For it sends.
 */
class MetricsBehindProxyTest {
    private static GatewayTestServer behindProxy;
    private static GatewayTestServer otherProxy;
    private static InetAddress hostAddress;

    @BeforeAll
    static void start() throws SocketException {
        hostAddress = nonLoopbackAddress().orElseThrow(
                () -> new IllegalStateException("this host has no non-loopback IPv4 address to connect from"));
        // a proxy on this host's loopback is trusted; the node listens on every address
        behindProxy = GatewayTestServer.start(Map.of("bind", "0.0.0.0", "proxy.trusted", "127.0.0.1"));
        // only a proxy elsewhere is trusted: loopback and this host's address are ordinary peers
        otherProxy = GatewayTestServer.start(Map.of("bind", "0.0.0.0", "proxy.trusted", "10.0.0.0/8"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(behindProxy, otherProxy);
    }

    @Test
    void throughTheTrustedProxyTheForwardedClientDecides() throws IOException {
        assertThat(get(behindProxy, InetAddress.getLoopbackAddress(), "X-Forwarded-For: 203.0.113.7"))
                .isEqualTo(403);
        assertThat(get(behindProxy, InetAddress.getLoopbackAddress(), "Forwarded: for=203.0.113.7"))
                .isEqualTo(403);
        // a client's own forged header before the proxy's hop: the hop the proxy added (the last) decides
        assertThat(get(behindProxy, InetAddress.getLoopbackAddress(), "X-Forwarded-For: 127.0.0.1, 203.0.113.7"))
                .isEqualTo(403);
        assertThat(get(behindProxy, InetAddress.getLoopbackAddress(), "X-Forwarded-For: 127.0.0.1")).isEqualTo(200);
        // the proxy's host scraping directly, without a forwarded address
        assertThat(get(behindProxy, InetAddress.getLoopbackAddress(), null)).isEqualTo(200);
    }

    @Test
    void anUntrustedPeerIsJudgedByItsOwnAddress() throws IOException {
        assertThat(get(behindProxy, hostAddress, "X-Forwarded-For: 127.0.0.1")).isEqualTo(403);
        assertThat(get(behindProxy, hostAddress, "Forwarded: for=127.0.0.1")).isEqualTo(403);
        assertThat(get(otherProxy, hostAddress, "X-Forwarded-For: 127.0.0.1")).isEqualTo(403);
        assertThat(get(otherProxy, InetAddress.getLoopbackAddress(), "X-Forwarded-For: 203.0.113.7"))
                .isEqualTo(200);
    }

    /** GET /metrics from {@code from} with one extra header line (or none); the HTTP status. */
    private static int get(GatewayTestServer server, InetAddress from, String header) throws IOException {
        InetAddress target = from.isLoopbackAddress() ? InetAddress.getLoopbackAddress() : from;
        try (Socket socket = new Socket(target, server.gateway().port(), from, 0)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String request = "GET /metrics HTTP/1.1\r\nHost: easgate\r\nConnection: close\r\n"
                    + (header == null ? "" : header + "\r\n") + "\r\n";
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder status = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                status.append((char) c);
            }
            String[] parts = status.toString().split(" ");
            assertThat(parts).as("status line '%s'", status).hasSizeGreaterThan(1);
            return Integer.parseInt(parts[1]);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }
}
