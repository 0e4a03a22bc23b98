package dev.easgate.backends.imap;

import static dev.easgate.backends.imap.ImapCommands.fetched;
import static dev.easgate.backends.imap.ImapCommands.send;

import dev.easgate.backends.imap.FolderList.Entry;
import dev.easgate.backends.imap.ImapIds.ItemRef;
import dev.easgate.backends.mail.AttachmentSource.Attachment;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * One attachment without the rest of the message: {@code UID FETCH (BODYSTRUCTURE)} to find the leaf's IMAP
 * section, then its content. A part of at most {@link #SLICE} encoded bytes comes in the same call
 * ({@code BODY.PEEK[section]}), with its exact decoded size. A larger one is streamed: each slice is a partial fetch
 * {@code BODY.PEEK[section]<offset.length>} on a pooled connection, made only when the reader has taken the previous
 * one, decoded from its transfer encoding as it goes; at most one slice is held. A UIDVALIDITY change between slices
 * fails the stream.
 */
final class ImapAttachments {
    /** Encoded bytes one partial {@code BODY.PEEK[section]<offset.length>} fetch asks for. */
    static final int SLICE = 256 * 1024;
    /** Decoded bytes per chunk of an attachment's content. */
    private static final int CHUNK = 64 * 1024;

    private final ImapConnections connections;
    private final ImapFolders folders;
    private final Scheduler scheduler;
    private final LongAdder partFetches = new LongAdder();
    private final LongAdder slices = new LongAdder();

    ImapAttachments(ImapConnections connections, ImapFolders folders, Scheduler scheduler) {
        this.connections = connections;
        this.folders = folders;
        this.scheduler = scheduler;
    }

    Optional<Attachment> attachment(String user, String folderId, String itemId, int leafIndex) {
        Entry entry = folders.require(user, folderId);
        Optional<ItemRef> ref = ItemRef.parse(itemId, folderId);
        if (ref.isEmpty() || leafIndex < 0) {
            return Optional.empty();
        }
        return ImapCommands.inMailbox(connections, user, entry.imapName(), false, (p, info) ->
                info.uidvalidity != ref.get().uidValidity() ? Optional.<Attachment>empty()
                        : fetchPart(p, user, entry.imapName(), ref.get(), leafIndex));
    }

    /** Single-part fetches so far. */
    long partFetches() {
        return partFetches.sum();
    }

    /** Partial fetches of streamed large attachments so far. */
    long slices() {
        return slices.sum();
    }

    private Optional<Attachment> fetchPart(IMAPProtocol p, String user, String imapName, ItemRef ref, int leafIndex)
            throws ProtocolException {
        long uid = ref.uid();
        BODYSTRUCTURE structure = fetched(send(p, "UID FETCH " + uid + " (UID BODYSTRUCTURE)", null),
                BODYSTRUCTURE.class);
        if (structure == null) {
            return Optional.empty();
        }
        Leaf leaf = structure.isMulti() ? leaf(structure, "", leafIndex, new int[] {0})
                : leafIndex == 0 ? new Leaf("1", structure) : null;
        if (leaf == null) {
            return Optional.empty();
        }
        partFetches.increment();
        String type = (leaf.part().type + "/" + leaf.part().subtype).toLowerCase(Locale.ROOT);
        String encoding = leaf.part().encoding == null ? "7bit" : leaf.part().encoding.toLowerCase(Locale.ROOT);
        if (leaf.part().size > SLICE) {
            return Optional.of(new Attachment(type, -1, streamedPart(() -> new PartSlices(user, imapName,
                    ref, leaf.section(), leaf.part().size), encoding)));
        }
        BODY body = fetched(send(p, "UID FETCH " + uid + " (BODY.PEEK[" + leaf.section() + "])", null), BODY.class);
        if (body == null) {
            return Optional.empty();
        }
        ByteArray encoded = body.getByteArray();
        byte[] decoded = encoded == null ? new byte[0] : decode(encoded, encoding);
        return Optional.of(new Attachment(type, decoded.length, Flux.just(decoded)));
    }

    /**
     * The decoded content of a large part, read slice by slice on the store's scheduler as it is requested; each
     * subscription reads it anew.
     */
    private Flux<byte[]> streamedPart(Supplier<PartSlices> encoded, String encoding) {
        return Flux.<byte[], InputStream>generate(
                () -> decoding(encoded.get(), encoding),
                (in, sink) -> {
                    try {
                        byte[] chunk = in.readNBytes(CHUNK);
                        if (chunk.length == 0) {
                            sink.complete();
                        } else {
                            sink.next(chunk);
                        }
                    } catch (IOException e) {
                        sink.error(e.getCause() instanceof MailStoreException m ? m
                                : new MailStoreException(Kind.UNAVAILABLE, "attachment read failed: " + e, e));
                    }
                    return in;
                },
                in -> {
                    try {
                        in.close();
                    } catch (IOException e) {
                        // nothing is held: a slice is a byte array
                    }
                })
                .subscribeOn(scheduler);
    }

    private static InputStream decoding(InputStream encoded, String encoding) {
        try {
            return MimeUtility.decode(encoded, encoding);
        } catch (MessagingException unknownEncoding) {
            return encoded; // an encoding MIME does not know: the bytes as they are
        }
    }

    private static byte[] decode(ByteArray encoded, String encoding) {
        try (InputStream in = decoding(encoded.toByteArrayInputStream(), encoding)) {
            return in.readAllBytes();
        } catch (IOException malformed) {
            return encoded.getNewBytes(); // undecodable: the bytes as they are
        }
    }

    /** The IMAP section of leaf {@code wanted}, leaves numbered depth first, multiparts the only containers. */
    private static Leaf leaf(BODYSTRUCTURE multipart, String prefix, int wanted, int[] counter) {
        BODYSTRUCTURE[] children = multipart.bodies == null ? new BODYSTRUCTURE[0] : multipart.bodies;
        for (int i = 0; i < children.length; i++) {
            String section = prefix + (i + 1);
            if (children[i].isMulti()) {
                Leaf found = leaf(children[i], section + ".", wanted, counter);
                if (found != null) {
                    return found;
                }
            } else if (counter[0]++ == wanted) {
                return new Leaf(section, children[i]);
            }
        }
        return null;
    }

    private record Leaf(String section, BODYSTRUCTURE part) {
    }

    /** The encoded bytes of one part, fetched {@link #SLICE} at a time when the reader gets there. */
    private final class PartSlices extends InputStream {
        private final String user;
        private final String imapName;
        private final ItemRef ref;
        private final String section;
        private final long size;
        private long offset;
        private byte[] slice = new byte[0];
        private int position;

        PartSlices(String user, String imapName, ItemRef ref, String section, long size) {
            this.user = user;
            this.imapName = imapName;
            this.ref = ref;
            this.section = section;
            this.size = size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int from, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (position == slice.length && !nextSlice()) {
                return -1;
            }
            int n = Math.min(length, slice.length - position);
            System.arraycopy(slice, position, buffer, from, n);
            position += n;
            return n;
        }

        private boolean nextSlice() throws IOException {
            if (offset >= size) {
                return false;
            }
            try {
                slice = ImapCommands.inMailbox(connections, user, imapName, false, (p, info) -> {
                    if (info.uidvalidity != ref.uidValidity()) {
                        throw new MailStoreException(Kind.NOT_FOUND, "the folder was recreated while an "
                                + "attachment was read");
                    }
                    BODY body = fetched(send(p, "UID FETCH " + ref.uid() + " (BODY.PEEK[" + section + "]<" + offset
                            + "." + SLICE + ">)", null), BODY.class);
                    if (body == null) {
                        throw new MailStoreException(Kind.NOT_FOUND, "the message is gone");
                    }
                    ByteArray bytes = body.getByteArray();
                    return bytes == null ? new byte[0] : bytes.getNewBytes();
                });
            } catch (MailStoreException e) {
                throw new IOException(e.getMessage(), e);
            }
            slices.increment();
            position = 0;
            offset += slice.length;
            if (slice.length == 0) {
                offset = size; // the server holds less than BODYSTRUCTURE said: the part ends here
                return false;
            }
            return true;
        }
    }
}
