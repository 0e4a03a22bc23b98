package dev.easgate.core.http;

import dev.easgate.core.command.CommandResponse;
import dev.easgate.wbxml.WbxmlEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/**
 * The answer of a request whose connection was taken out of Reactor Netty ({@link ParkedConnections}), as the
 * bytes of an HTTP/1.1 response (RFC 9112 section 4): the status line, the headers {@link EasEndpoint} sends with
 * every answer, a Content-Length, and the body.
 */
final class RawResponse {
    private RawResponse() {
    }

    /** The whole response; a streamed body cannot be written this way (IllegalArgumentException). */
    static ByteBuf encode(CommandResponse result, ByteBufAllocator alloc) {
        ByteBuf body;
        String contentType = null;
        if (result.body() != null) {
            body = WbxmlEncoder.encode(result.body(), alloc);
            contentType = EasEndpoint.WBXML;
        } else if (result.raw() != null) {
            body = alloc.buffer(result.raw().length).writeBytes(result.raw());
            contentType = result.contentType();
        } else if (result.stream() != null) {
            throw new IllegalArgumentException("a streamed answer on a parked connection");
        } else {
            body = alloc.buffer(0);
        }
        try {
            HttpResponseStatus status = HttpResponseStatus.valueOf(result.httpStatus());
            StringBuilder head = new StringBuilder(160).append("HTTP/1.1 ").append(status.code()).append(' ')
                    .append(status.reasonPhrase()).append("\r\n");
            header(head, "MS-Server-ActiveSync", EasEndpoint.SERVER_VERSION);
            for (Map.Entry<String, String> extra : result.headers().entrySet()) {
                if (!extra.getKey().equalsIgnoreCase("Content-Length")) {
                    header(head, extra.getKey(), extra.getValue());
                }
            }
            if (contentType != null) {
                header(head, "Content-Type", contentType);
            }
            header(head, "Content-Length", Integer.toString(body.readableBytes()));
            head.append("\r\n");
            ByteBuf out = alloc.buffer(head.length() + body.readableBytes());
            ByteBufUtil.writeAscii(out, head);
            out.writeBytes(body);
            return out;
        } finally {
            body.release();
        }
    }

    private static void header(StringBuilder head, String name, String value) {
        // names and values are the gateway's own; a line break would split the response
        if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || value.indexOf('\r') >= 0
                || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a line break in response header " + name);
        }
        head.append(name).append(": ").append(value).append("\r\n");
    }
}
