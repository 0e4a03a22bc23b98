package dev.easgate.core.http;

import dev.easgate.core.limits.TrustedProxies;
import java.util.List;
import reactor.netty.http.server.HttpServerRequest;

/**
 * A request's client address once proxy.trusted is applied: the peer, or what a trusted reverse proxy says it
 * forwarded. Everything that judges the client (login throttling, loopback-only endpoints) reads it here, so that
 * behind a proxy on loopback nobody passes for a loopback client.
 */
public final class ClientAddress {
    private ClientAddress() {
    }

    /** The client's address (an IP literal, or escaped text when a trusted proxy forwarded something else). */
    public static String of(TrustedProxies proxies, HttpServerRequest request) {
        return proxies.clientAddress(request.remoteAddress(), joined(request, "Forwarded"),
                joined(request, "X-Forwarded-For"));
    }

    /**
     * Every field of a repeated header, in order, as one list (RFC 9110 5.3): HAProxy's {@code option forwardfor}
     * adds its own X-Forwarded-For line after one a client sent, and the last hop must be read from the last line.
     */
    private static String joined(HttpServerRequest request, String header) {
        List<String> values = request.requestHeaders().getAll(header);
        return values.isEmpty() ? null : String.join(",", values);
    }
}
