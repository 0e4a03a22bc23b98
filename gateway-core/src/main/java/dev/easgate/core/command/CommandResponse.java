package dev.easgate.core.command;

import dev.easgate.wbxml.WbxmlElement;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a handler answers: an HTTP status and either a WBXML body, raw bytes with their content type, a stream of
 * raw chunks, or nothing.
 *
 * @param httpStatus  the HTTP status (200 for every answer that carries an EAS status in its body)
 * @param body        the WBXML body, or {@code null}
 * @param raw         a non-WBXML body held in memory, or {@code null}
 * @param stream      a non-WBXML body read as it is sent (GetAttachment of a large part), or {@code null}
 * @param contentType the content type of {@code raw} or {@code stream}
 * @param headers     extra response headers
 * @param parked      for a request that waits (a parked Ping): the answer to send when it is ready, or
 *                    {@code null}; see {@link #parked(Mono)}
 */
public record CommandResponse(int httpStatus, WbxmlElement body, byte[] raw, Flux<byte[]> stream,
                              String contentType, Map<String, String> headers, Mono<CommandResponse> parked) {
    public CommandResponse {
        headers = Map.copyOf(headers);
        if ((body != null ? 1 : 0) + (raw != null ? 1 : 0) + (stream != null ? 1 : 0) + (parked != null ? 1 : 0)
                > 1) {
            throw new IllegalArgumentException("a response has one body: WBXML, raw bytes, a stream, or is parked");
        }
    }

    public CommandResponse(int httpStatus, WbxmlElement body, byte[] raw, Flux<byte[]> stream, String contentType,
                           Map<String, String> headers) {
        this(httpStatus, body, raw, stream, contentType, headers, null);
    }

    /**
     * The request waits: the HTTP front finishes the request's own pipeline now (its operators, the request body
     * and the handler's state are let go) and keeps only {@code answer}, which it subscribes to next and whose
     * response it sends. {@code answer} should capture as little as possible: it is what a parked device costs.
     */
    public static CommandResponse parked(Mono<CommandResponse> answer) {
        return new CommandResponse(200, null, null, null, null, Map.of(), Objects.requireNonNull(answer));
    }

    /** 200 with a WBXML body. */
    public static CommandResponse ok(WbxmlElement body) {
        return new CommandResponse(200, Objects.requireNonNull(body), null, null, null, Map.of());
    }

    /** 200 with an empty body (e.g. a Sync with nothing to say, MS-ASCMD 2.2.3.166.4; SendMail success). */
    public static CommandResponse empty() {
        return new CommandResponse(200, null, null, null, null, Map.of());
    }

    /** A bare HTTP status without a body. */
    public static CommandResponse http(int status) {
        return new CommandResponse(status, null, null, null, null, Map.of());
    }

    /** 200 with raw bytes. */
    public static CommandResponse raw(byte[] bytes, String contentType) {
        return new CommandResponse(200, null, Objects.requireNonNull(bytes), null, contentType, Map.of());
    }

    /**
     * 200 with a body read chunk by chunk as the connection takes it (chunked transfer encoding); {@code size}, when
     * known (not -1), is sent as Content-Length.
     */
    public static CommandResponse stream(Flux<byte[]> chunks, long size, String contentType) {
        return new CommandResponse(200, null, null, Objects.requireNonNull(chunks), contentType,
                size < 0 ? Map.of() : Map.of("Content-Length", Long.toString(size)));
    }
}
