package dev.easgate.core.lmtp;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.logging.LogText;
import dev.easgate.core.command.mail.LocalDelivery;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One LMTP connection's dialogue (RFC 2033): LHLO, then transactions of MAIL, RCPT (each recipient looked up among
 * the gateway's accounts), DATA, after which each accepted recipient gets a reply of its own (RFC 2033 section
 * 4.2), then RSET, NOOP, QUIT. Lines arrive one at a time and in order ({@link #onLine}), so pipelined commands
 * (which LMTP servers must accept, section 4) are answered in order. Not thread-safe: the caller feeds one line
 * after the previous one's reply.
 */
final class LmtpSession {
    private static final Logger LOG = LoggerFactory.getLogger(LmtpSession.class);

    private final String host;
    private final Accounts accounts;
    private final LocalDelivery delivery;
    private final long maxBytes;
    private boolean greeted;
    private String sender; // null: no transaction
    private final List<Account> recipients = new ArrayList<>();
    private ByteArrayOutputStream data; // non-null while the message is being read
    private boolean tooLarge;
    private boolean ended;

    LmtpSession(String host, Accounts accounts, LocalDelivery delivery, long maxBytes) {
        this.host = host;
        this.accounts = accounts;
        this.delivery = delivery;
        this.maxBytes = maxBytes;
    }

    String greeting() {
        return "220 " + host + " easgate LMTP ready";
    }

    /** Whether QUIT was answered: the connection closes after the reply. */
    boolean ended() {
        return ended;
    }

    /** The reply to one line (without its CRLF), several lines joined with CRLF; empty while message lines arrive. */
    Mono<String> onLine(String line) {
        if (data != null) {
            return messageLine(line);
        }
        String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
        return switch (verb) {
            case "LHLO" -> lhlo(line);
            case "MAIL" -> mail(line);
            case "RCPT" -> rcpt(line);
            case "DATA" -> data();
            case "RSET" -> {
                reset();
                yield Mono.just("250 2.0.0 OK");
            }
            case "NOOP" -> Mono.just("250 2.0.0 OK");
            case "QUIT" -> {
                ended = true;
                yield Mono.just("221 2.0.0 " + host + " closing connection");
            }
            case "HELO", "EHLO" -> Mono.just("500 5.5.1 this is LMTP: say LHLO (RFC 2033)");
            case "VRFY" -> Mono.just("252 2.5.2 cannot verify, send the mail");
            default -> Mono.just("500 5.5.2 command not recognized");
        };
    }

    private Mono<String> lhlo(String line) {
        greeted = true;
        reset();
        return Mono.just("250-" + host + "\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
                + "250 SIZE " + maxBytes);
    }

    private Mono<String> mail(String line) {
        if (!greeted) {
            return Mono.just("503 5.5.1 LHLO first");
        }
        if (sender != null) {
            return Mono.just("503 5.5.1 nested MAIL command");
        }
        String path = path(line, "MAIL FROM:");
        if (path == null) {
            return Mono.just("501 5.5.4 syntax: MAIL FROM:<address>");
        }
        sender = path;
        return Mono.just("250 2.1.0 OK");
    }

    private Mono<String> rcpt(String line) {
        if (sender == null) {
            return Mono.just("503 5.5.1 MAIL first");
        }
        String address = path(line, "RCPT TO:");
        if (address == null || address.isEmpty()) {
            return Mono.just("501 5.5.4 syntax: RCPT TO:<address>");
        }
        return accounts.byAddress(address)
                .map(account -> {
                    recipients.add(account);
                    return "250 2.1.5 OK";
                })
                .defaultIfEmpty("550 5.1.1 no such user here")
                .onErrorResume(e -> {
                    LOG.warn("LMTP: looking up a recipient failed: {}", e.toString());
                    return Mono.just("451 4.3.0 recipient lookup failed, try again later");
                });
    }

    private Mono<String> data() {
        if (sender == null) {
            return Mono.just("503 5.5.1 MAIL first");
        }
        if (recipients.isEmpty()) {
            return Mono.just("503 5.5.1 no valid recipients");
        }
        data = new ByteArrayOutputStream(1024); // most mail is a few hundred bytes to a few KB: grown as it comes
        tooLarge = false;
        // a delivery agent records the envelope sender (RFC 5321 section 4.4)
        appendLine("Return-Path: <" + sender + ">");
        return Mono.just("354 2.0.0 send the message, end with <CRLF>.<CRLF>");
    }

    private Mono<String> messageLine(String line) {
        if (!line.equals(".")) {
            // a leading dot was doubled by the client (RFC 5321 section 4.5.2)
            appendLine(line.startsWith(".") ? line.substring(1) : line);
            return Mono.empty();
        }
        byte[] mime = data.toByteArray();
        boolean refused = tooLarge;
        List<Account> to = List.copyOf(recipients);
        reset();
        if (refused) {
            return Mono.just(to.stream().map(r -> "552 5.3.4 message larger than " + maxBytes + " bytes")
                    .collect(Collectors.joining("\r\n")));
        }
        // one reply per recipient, in RCPT order (RFC 2033 section 4.2)
        return Flux.fromIterable(to)
                .concatMap(recipient -> delivery.toInbox(recipient, mime)
                        .then(Mono.fromCallable(() -> {
                            LOG.debug("LMTP: delivered {} bytes to user={}", mime.length,
                                    LogText.escape(recipient.user()));
                            return "250 2.0.0 delivered";
                        }))
                        .onErrorResume(e -> {
                            LOG.warn("LMTP: delivery to user={} failed: {}", LogText.escape(recipient.user()),
                                    e.toString());
                            return Mono.just("451 4.3.0 not delivered, try again later");
                        }))
                .collect(Collectors.joining("\r\n"));
    }

    private void appendLine(String line) {
        if (tooLarge) {
            return;
        }
        byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
        if (data.size() + bytes.length + 2 > maxBytes) {
            tooLarge = true;
            data.reset();
            return;
        }
        data.writeBytes(bytes);
        data.write('\r');
        data.write('\n');
    }

    private void reset() {
        sender = null;
        recipients.clear();
        data = null;
        tooLarge = false;
    }

    /** The address between angle brackets after {@code prefix} (any case, spaces allowed); null when malformed. */
    static String path(String line, String prefix) {
        if (!line.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        String rest = line.substring(prefix.length()).stripLeading();
        int close = rest.indexOf('>');
        if (!rest.startsWith("<") || close < 0) {
            return null;
        }
        return rest.substring(1, close).strip();
    }
}
