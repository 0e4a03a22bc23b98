package dev.easgate.backends.mail;

import java.io.ByteArrayOutputStream;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An optional capability of a {@link MailStore}: one attachment of an email without loading the whole message (an
 * IMAP store fetches only that MIME part, a slice at a time). Found through {@link MailStore#attachmentSource()}, so
 * wrapping stores pass it on; callers without it parse the whole message from {@link MailStore#item}.
 */
public interface AttachmentSource {

    /**
     * One attachment's decoded content, as a stream of chunks read from the store only as they are requested (on
     * the store's own blocking scheduler); subscribing twice reads it twice.
     *
     * @param contentType the MIME type, lower case, without parameters
     * @param size        decoded size in bytes, or -1 when it is not known before the content is read (a large
     *                    transfer-encoded part)
     * @param content     the decoded bytes in order; fails with {@link MailStoreException} when the store fails
     *                    or the message changes while it is read
     */
    record Attachment(String contentType, long size, Flux<byte[]> content) {
        public Attachment {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(content, "content");
        }

        /** The whole content in memory, for answers that must hold it (a WBXML body with its Total). */
        public Mono<byte[]> bytes() {
            return content.collect(ByteArrayOutputStream::new, ByteArrayOutputStream::writeBytes)
                    .map(ByteArrayOutputStream::toByteArray);
        }
    }

    /**
     * The leaf part number {@code leafIndex} (leaves of the MIME tree numbered depth first from 0, multiparts being
     * the only containers) of the email {@code itemId}; empty when the item or the leaf does not exist.
     */
    Mono<Attachment> attachment(String user, String folderId, String itemId, int leafIndex);
}
