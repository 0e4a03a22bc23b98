package dev.easgate.backends.mail;

import java.io.InputStream;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * An optional capability of a {@link MailStore}: one attachment of an email without loading the whole message (an
 * IMAP store fetches only that MIME part). Found through {@link MailStore#attachmentSource()}, so wrapping stores
 * pass it on; callers without it parse the whole message from {@link MailStore#item}.
 */
public interface AttachmentSource {

    /**
     * One attachment's decoded content.
     *
     * @param contentType the MIME type, lower case, without parameters
     * @param size        decoded size in bytes
     * @param content     the decoded bytes; the caller closes it
     */
    record Attachment(String contentType, long size, InputStream content) {
        public Attachment {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(content, "content");
        }
    }

    /**
     * The leaf part number {@code leafIndex} (leaves of the MIME tree numbered depth first from 0, multiparts being
     * the only containers) of the email {@code itemId}; empty when the item or the leaf does not exist.
     */
    Mono<Attachment> attachment(String user, String folderId, String itemId, int leafIndex);
}
