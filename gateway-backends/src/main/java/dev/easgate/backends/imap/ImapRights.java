package dev.easgate.backends.imap;

import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.util.Locale;

/**
 * What the user may do in a folder, as the server's {@code MYRIGHTS} answer names it (RFC 4314 section 2.1: l lookup,
 * r read, s keep \Seen, w write other flags, i insert, k create subfolders, x delete the folder, t set \Deleted,
 * e expunge, a administer; the RFC 2086 letters d and c stand for "te" and "kx"). The user's own folders and a server
 * without ACL get {@link #ALL}: the server refuses what it refuses.
 *
 * @param letters the rights, as the server sent them
 */
record ImapRights(String letters) {
    static final ImapRights ALL = new ImapRights("lrswipkxtea");

    ImapRights {
        letters = letters.toLowerCase(Locale.ROOT);
    }

    boolean has(char right) {
        if (letters.indexOf(right) >= 0) {
            return true;
        }
        // RFC 4314 section 2.1.1: the obsolete d covers t and e (and x), c covers k (and x)
        return switch (right) {
            case 't', 'e' -> letters.indexOf('d') >= 0;
            case 'k' -> letters.indexOf('c') >= 0;
            default -> false;
        };
    }

    /** Listed and readable: a folder the user may only look up (l without r) is not offered to the phone. */
    boolean mayRead() {
        return has('r');
    }

    /** Whether none of the item writes is allowed (i, t, w, s): the phone's changes are all refused. */
    boolean readOnly() {
        return !has('i') && !has('t') && !has('w') && !has('s');
    }

    /** NOT_ALLOWED (the phone gets the Sync status for a refused change, and the item again) without this right. */
    void require(char right, String imapName, String what) {
        if (!has(right)) {
            throw new MailStoreException(Kind.NOT_ALLOWED, what + " needs the IMAP right '" + right + "' in "
                    + imapName + " (the user has '" + letters + "')");
        }
    }
}
