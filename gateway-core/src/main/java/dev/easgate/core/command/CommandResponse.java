package dev.easgate.core.command;

import dev.easgate.wbxml.WbxmlElement;
import java.util.Map;
import java.util.Objects;

/**
 * What a handler answers: an HTTP status and either a WBXML body, raw bytes with their content type, or nothing.
 *
 * @param httpStatus  the HTTP status (200 for every answer that carries an EAS status in its body)
 * @param body        the WBXML body, or {@code null}
 * @param raw         a non-WBXML body (e.g. GetAttachment), or {@code null}
 * @param contentType the content type of {@code raw}
 * @param headers     extra response headers
 */
public record CommandResponse(int httpStatus, WbxmlElement body, byte[] raw, String contentType,
                              Map<String, String> headers) {
    public CommandResponse {
        headers = Map.copyOf(headers);
        if (body != null && raw != null) {
            throw new IllegalArgumentException("a response has a WBXML body or raw bytes, not both");
        }
    }

    /** 200 with a WBXML body. */
    public static CommandResponse ok(WbxmlElement body) {
        return new CommandResponse(200, Objects.requireNonNull(body), null, null, Map.of());
    }

    /** 200 with an empty body (e.g. a Sync with nothing to say, MS-ASCMD 2.2.3.166.4; SendMail success). */
    public static CommandResponse empty() {
        return new CommandResponse(200, null, null, null, Map.of());
    }

    /** A bare HTTP status without a body. */
    public static CommandResponse http(int status) {
        return new CommandResponse(status, null, null, null, Map.of());
    }

    /** 200 with raw bytes. */
    public static CommandResponse raw(byte[] bytes, String contentType) {
        return new CommandResponse(200, null, Objects.requireNonNull(bytes), contentType, Map.of());
    }
}
