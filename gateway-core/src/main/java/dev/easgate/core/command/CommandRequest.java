package dev.easgate.core.command;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.core.http.EasQuery;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.Objects;

/**
 * An authenticated, provisioned EAS request as a command handler sees it.
 *
 * @param query       the parsed query
 * @param version     the negotiated protocol version
 * @param account     the authenticated account
 * @param device      the device record as of this request (User-Agent and version already updated)
 * @param body        the decoded WBXML body, or {@code null} when the request had none (e.g. an empty Ping)
 * @param rawBody     the body bytes (MIME for SendMail in 12.x); valid only until the handler's Mono completes
 * @param contentType the request's Content-Type, or ""
 * @param receivedAt  when the request arrived
 */
public record CommandRequest(EasQuery query, ProtocolVersion version, Account account, DeviceRecord device,
                             WbxmlElement body, ByteBuf rawBody, String contentType, Instant receivedAt) {
    public CommandRequest {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(rawBody, "rawBody");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /** The user the state and store are keyed by: the authenticated login. */
    public String user() {
        return account.user();
    }

    public DeviceKey deviceKey() {
        return device.key();
    }

    /** Whether the request carried a WBXML body. */
    public boolean hasBody() {
        return body != null;
    }

    /** This request without its body, for work that outlives the request's buffer (a parked answer). */
    public CommandRequest withoutBody() {
        return new CommandRequest(query, version, account, device, null, io.netty.buffer.Unpooled.EMPTY_BUFFER,
                contentType, receivedAt);
    }
}
