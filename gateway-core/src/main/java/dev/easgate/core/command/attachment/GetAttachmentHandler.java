package dev.easgate.core.command.attachment;

import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.content.AttachmentReference;
import dev.easgate.core.content.ParsedEmail;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * GetAttachment (MS-ASCMD 2.2.1.7), the attachment download of 2.5 and 12.x clients:
 * {@code Cmd=GetAttachment&AttachmentName=<FileReference>} answers the attachment's decoded bytes with its
 * Content-Type; from a store that fetches single parts (IMAP) a large attachment is streamed (chunked transfer
 * encoding), never held whole. The command is not part of 14.0 and later (clients use ItemOperations Fetch): those get HTTP 501.
 * An AttachmentName that is missing, not a reference this gateway issued, or names no attachment of an existing
 * email gets HTTP 500, the failure status the specification gives for this command.
 */
public final class GetAttachmentHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(GetAttachmentHandler.class);
    static final int NOT_AVAILABLE = 501;
    static final int FAILED = 500;

    private final MailStore store;

    public GetAttachmentHandler(MailStore store) {
        this.store = store;
    }

    @Override
    public EasCommand command() {
        return EasCommand.GET_ATTACHMENT;
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        if (request.version().atLeast(ProtocolVersion.V14_0)) {
            refused(request, "GetAttachment is not part of " + request.version().header());
            return Mono.just(CommandResponse.http(NOT_AVAILABLE));
        }
        String name = request.query().parameter("AttachmentName");
        AttachmentReference reference = AttachmentReference.parse(name);
        if (reference == null) {
            refused(request, "AttachmentName missing or malformed");
            return Mono.just(CommandResponse.http(FAILED));
        }
        if (store.attachmentSource().isPresent()) {
            // a store that can fetch one MIME part (IMAP) does, and its content is streamed to the phone as the
            // connection takes it, read slice by slice on the store's scheduler
            return store.attachmentSource().get().attachment(request.user(), reference.folderId(),
                            reference.itemId(), reference.partIndex())
                    .map(part -> CommandResponse.stream(part.content()
                            .doOnError(e -> refused(request, "attachment read failed mid-stream: " + e)),
                            part.size(), part.contentType()))
                    .onErrorResume(MailStoreException.class, e -> {
                        refused(request, "store: " + e.kind());
                        return Mono.just(CommandResponse.http(FAILED));
                    })
                    .switchIfEmpty(Mono.fromSupplier(() -> {
                        refused(request, "unknown item or attachment");
                        return CommandResponse.http(FAILED);
                    }));
        }
        return store.item(request.user(), reference.folderId(), reference.itemId())
                .publishOn(Schedulers.parallel())
                .map(item -> {
                    if (!(item.content() instanceof ItemContent.Email email)) {
                        return CommandResponse.http(FAILED);
                    }
                    ParsedEmail.Attachment attachment = ParsedEmail.parse(email.mime()).attachments().stream()
                            .filter(a -> a.partIndex() == reference.partIndex()).findFirst().orElse(null);
                    if (attachment == null) {
                        refused(request, "no attachment " + reference.partIndex());
                        return CommandResponse.http(FAILED);
                    }
                    try {
                        return CommandResponse.raw(ParsedEmail.partBytes(email.mime(), reference.partIndex()),
                                attachment.contentType());
                    } catch (Exception e) {
                        refused(request, "attachment unreadable: " + e);
                        return CommandResponse.http(FAILED);
                    }
                })
                .onErrorResume(MailStoreException.class, e -> {
                    refused(request, "store: " + e.kind());
                    return Mono.just(CommandResponse.http(FAILED));
                })
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    refused(request, "unknown item");
                    return CommandResponse.http(FAILED);
                }));
    }

    private static void refused(CommandRequest request, String reason) {
        LOG.info("getattachment refused user={} device={}: {}", request.user(), request.deviceKey().deviceId(),
                reason);
    }
}
