package dev.easgate.core.command.mail;

import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The common handler of SendMail, SmartReply and SmartForward: read the request, hand it to the
 * {@link OutgoingMailService}, answer.
 *
 * <p>Success is an empty 200 (MS-ASCMD 2.2.1.17: a successful SendMail has no body; the same holds for
 * SmartReply and SmartForward). A refusal is, from 14.0 on, the command's root element with a Status holding the
 * common status code (MS-ASCMD 2.2.3.177.14, 2.2.3.177.16); 12.x has no ComposeMail Status, so it gets a bare HTTP
 * status: 400 for a request the client must not repeat, 503 for retry-later, 500 otherwise.
 */
public abstract class ComposeMailHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ComposeMailHandler.class);

    private final ComposeMode mode;
    private final OutgoingMailService service;

    protected ComposeMailHandler(ComposeMode mode, OutgoingMailService service) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.service = Objects.requireNonNull(service, "service");
    }

    @Override
    public final EasCommand command() {
        return mode.command();
    }

    @Override
    public final Mono<CommandResponse> handle(CommandRequest request) {
        ComposeRequest compose;
        try {
            compose = ComposeRequest.from(request, mode);
        } catch (ComposeException e) {
            return Mono.just(refuse(request, e));
        }
        return service.submit(request.account(), request.query().deviceId(), compose)
                .thenReturn(CommandResponse.empty())
                .onErrorResume(ComposeException.class, e -> Mono.just(refuse(request, e)));
    }

    private CommandResponse refuse(CommandRequest request, ComposeException e) {
        LOG.info("{} refused for user={} device={}: status {} ({})", mode.command().wireName(), request.user(),
                request.query().deviceId(), e.status().code(), e.getMessage());
        return response(request.version(), mode.command(), e.status());
    }

    /** The refusal as the client's protocol version expects it. */
    static CommandResponse response(ProtocolVersion version, EasCommand command, ComposeStatus status) {
        if (version.atLeast(ProtocolVersion.V14_0)) {
            return CommandResponse.ok(WbxmlElement.el(command.page(), command.root())
                    .child("Status", status.code()).build());
        }
        return CommandResponse.http(switch (status) {
            case SERVER_ERROR_RETRY_LATER -> 503;
            case SERVER_ERROR, MAIL_SUBMISSION_FAILED -> 500;
            default -> 400;
        });
    }
}
