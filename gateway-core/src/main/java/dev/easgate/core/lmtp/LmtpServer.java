package dev.easgate.core.lmtp;

import dev.easgate.backends.auth.Accounts;
import dev.easgate.core.command.mail.LocalDelivery;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/**
 * The memory backend's LMTP listener: each connection runs an {@link LmtpSession}; delivered messages go to the
 * recipients' Inboxes through the gateway's mail store, whose writes publish on the change bus, so a parked device
 * wakes exactly as it would for mail a real store received. Everything runs on the event loop: the memory store
 * never blocks.
 */
public final class LmtpServer {
    /** Longest line accepted (RFC 5321 allows 1000 octets; mail in the wild is sloppier). */
    static final int MAX_LINE = 64 * 1024;
    /** A client that sends nothing for this long is disconnected. */
    static final Duration IDLE = Duration.ofMinutes(5);

    private LmtpServer() {
    }

    /**
     * Listens on {@code bind}:{@code port} (0: any free port) and delivers messages of at most {@code maxBytes} to
     * the accounts {@code accounts} knows by address.
     */
    public static DisposableServer start(String bind, int port, String host, Accounts accounts,
                                         LocalDelivery delivery, long maxBytes) {
        return TcpServer.create()
                .host(bind)
                .port(port)
                .doOnConnection(connection -> connection
                        .addHandlerLast("lmtp.lines", new LineBasedFrameDecoder(MAX_LINE, true, false))
                        .onReadIdle(IDLE.toMillis(), connection::dispose))
                .handle((in, out) -> {
                    LmtpSession session = new LmtpSession(host, accounts, delivery, maxBytes);
                    Flux<String> replies = in.receive().asString(StandardCharsets.ISO_8859_1)
                            .concatMap(session::onLine)
                            .takeUntil(reply -> session.ended());
                    return out.sendString(Flux.concat(Mono.just(session.greeting()), replies)
                            .map(reply -> reply + "\r\n"), StandardCharsets.ISO_8859_1).then();
                })
                .bindNow();
    }
}
