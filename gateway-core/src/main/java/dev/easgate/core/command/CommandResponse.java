package dev.easgate.core.command;

import dev.easgate.wbxml.WbxmlElement;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Flux;

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
 */
public record CommandResponse(int httpStatus, WbxmlElement body, byte[] raw, Flux<byte[]> stream,
                              String contentType, Map<String, String> headers) {
    public CommandResponse {
        headers = Map.copyOf(headers);
        if ((body != null ? 1 : 0) + (raw != null ? 1 : 0) + (stream != null ? 1 : 0) > 1) {
            throw new IllegalArgumentException("a response has one body: WBXML, raw bytes or a stream");
        }
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
