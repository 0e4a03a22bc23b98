package dev.easgate.backends.imap;

import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.MODSEQ;
import org.eclipse.angus.mail.imap.protocol.UID;

/**
 * How IMAP identities become the SPI's ids and sequences. An item's id is {@code <folderId>:<UIDVALIDITY>:<UID>}:
 * after a UIDVALIDITY change every old id is simply gone. A modification sequence handed out carries the low
 * {@link #TAG_BITS} bits of the folder's UIDVALIDITY above the IMAP MODSEQ ({@link #MODSEQ_BITS} bits), so a
 * sequence from before a UIDVALIDITY change is recognised without any state on the gateway, on any node.
 */
final class ImapIds {
    static final int TAG_BITS = 20;
    static final int MODSEQ_BITS = 63 - TAG_BITS;
    static final long MODSEQ_MASK = (1L << MODSEQ_BITS) - 1;

    private ImapIds() {
    }

    /** The UIDVALIDITY bits a sequence handed out carries. */
    static long epochOf(long modSeq) {
        return modSeq >>> MODSEQ_BITS;
    }

    static long epochTag(long uidValidity) {
        return uidValidity & ((1L << TAG_BITS) - 1);
    }

    /** The sequence handed out: the UIDVALIDITY's low bits above the IMAP MODSEQ. */
    static long encode(long uidValidity, long imapModSeq) {
        if (imapModSeq > MODSEQ_MASK) {
            throw new MailStoreException(Kind.UNAVAILABLE, "IMAP MODSEQ " + imapModSeq + " beyond 2^43");
        }
        return (epochTag(uidValidity) << MODSEQ_BITS) | imapModSeq;
    }

    static boolean sameEpoch(long modSeq, long uidValidity) {
        return epochOf(modSeq) == epochTag(uidValidity);
    }

    static String itemId(String folderId, long uidValidity, long uid) {
        return folderId + ":" + uidValidity + ":" + uid;
    }

    static Instant instant(INTERNALDATE date) {
        return date == null || date.getDate() == null ? Instant.EPOCH : date.getDate().toInstant();
    }

    /** The version one {@code FETCH (UID INTERNALDATE MODSEQ)} response gives, or {@code null} without UID or MODSEQ. */
    static ItemVersion version(FetchResponse fetched, String folderId, long uidValidity) {
        UID uid = fetched.getItem(UID.class);
        MODSEQ ms = fetched.getItem(MODSEQ.class);
        if (uid == null || ms == null) {
            return null;
        }
        return new ItemVersion(itemId(folderId, uidValidity, uid.uid), encode(uidValidity, ms.modseq),
                instant(fetched.getItem(INTERNALDATE.class)));
    }

    static MailStoreException notFound(String itemId) {
        return new MailStoreException(Kind.NOT_FOUND, "no item " + itemId);
    }

    /** An item id taken apart. */
    record ItemRef(long uidValidity, long uid) {
        static Optional<ItemRef> parse(String itemId, String folderId) {
            if (!itemId.startsWith(folderId + ":")) {
                return Optional.empty();
            }
            String[] parts = itemId.substring(folderId.length() + 1).split(":");
            if (parts.length != 2) {
                return Optional.empty();
            }
            try {
                return Optional.of(new ItemRef(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
