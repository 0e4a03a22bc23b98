package dev.easgate.core.http;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ChangePayload;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code POST /push/v1/events}: the change-bus webhook for stores that can only call a URL (e.g. Dovecot's
 * push-notification HTTP driver or a Lua script). Authenticated with {@code Authorization: Bearer <push.token>};
 * off (404) while no token is configured. The body holds one JSON event per line, each the change-bus payload
 * with a {@code "user"} field, e.g. {@code {"user":"alice@example.com","t":"folder","f":"f3"}}.
 */
public final class PushEndpoint {
    public static final String PATH = "/push/v1/events";
    private static final Logger LOG = LoggerFactory.getLogger(PushEndpoint.class);
    private static final int MAX_BODY = 1 << 20;

    private final ChangeBus bus;
    private final byte[] token;

    /** @param token the bearer token; empty turns the endpoint off */
    public PushEndpoint(ChangeBus bus, String token) {
        this.bus = bus;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        if (token.length == 0) {
            return response.status(HttpResponseStatus.NOT_FOUND).send();
        }
        if (!authorized(request.requestHeaders().get("Authorization"))) {
            LOG.info("401 for the push webhook from {}: missing or wrong bearer token", request.remoteAddress());
            return response.status(HttpResponseStatus.UNAUTHORIZED)
                    .header("WWW-Authenticate", "Bearer realm=\"easgate-push\"").send();
        }
        return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                .flatMap(body -> {
                    if (body.length() > MAX_BODY) {
                        return respond(response, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body too large");
                    }
                    List<BusEvent> events = new ArrayList<>();
                    String[] lines = body.split("\n");
                    for (int i = 0; i < lines.length; i++) {
                        String line = lines[i].strip();
                        if (line.isEmpty()) {
                            continue;
                        }
                        try {
                            BusEvent event = ChangePayload.decodeAddressed(line);
                            if (!(event instanceof BusEvent.FolderChanged)) {
                                throw new IllegalArgumentException("only \"t\":\"folder\" events may be pushed");
                            }
                            events.add(event);
                        } catch (IllegalArgumentException e) {
                            LOG.info("400 for the push webhook: line {}: {}", i + 1, e.getMessage());
                            return respond(response, HttpResponseStatus.BAD_REQUEST,
                                    "line " + (i + 1) + ": " + e.getMessage());
                        }
                    }
                    return Flux.fromIterable(events).concatMap(bus::publish).then(Mono.defer(() -> {
                        LOG.debug("push webhook published {} events", events.size());
                        return respond(response, HttpResponseStatus.ACCEPTED, "{\"accepted\":" + events.size() + "}");
                    })).onErrorResume(e -> {
                        LOG.warn("503 for the push webhook: the change bus refused: {}", e.toString());
                        return response.status(HttpResponseStatus.SERVICE_UNAVAILABLE).header("Retry-After", "5")
                                .send().then();
                    });
                });
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    private static Mono<Void> respond(HttpServerResponse response, HttpResponseStatus status, String text) {
        return response.status(status).header("Content-Type", "application/json")
                .sendString(Mono.just(text.startsWith("{") ? text : "{\"error\":\"" + text.replace("\"", "'") + "\"}"))
                .then();
    }
}
