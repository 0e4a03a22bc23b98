package dev.easgate.backends.imap;

import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.util.Locale;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.Item;
import org.eclipse.angus.mail.imap.protocol.MailboxInfo;

/** The IMAP command patterns every capability of the store shares. */
final class ImapCommands {

    private ImapCommands() {
    }

    /** Work inside one selected (or examined) mailbox. */
    @FunctionalInterface
    interface InMailbox<T> {
        T run(IMAPProtocol protocol, MailboxInfo info) throws ProtocolException;
    }

    /** A command whose NO answer is one of the SPI's refusals. */
    @FunctionalInterface
    interface ImapCall<T> {
        T run() throws ProtocolException;
    }

    @FunctionalInterface
    interface VoidCall {
        void run() throws ProtocolException;
    }

    /**
     * Runs {@code work} on a pooled connection of the user with the mailbox selected ({@code write}) or examined,
     * leaving it unselected afterwards.
     */
    static <T> T inMailbox(ImapConnections connections, String user, String imapName, boolean write,
                           InMailbox<T> work) {
        return connections.run(user, p -> inMailbox(p, imapName, write, work));
    }

    /** The same on a connection already leased. */
    static <T> T inMailbox(IMAPProtocol p, String imapName, boolean write, InMailbox<T> work)
            throws ProtocolException {
        MailboxInfo info = write ? p.select(imapName) : p.examine(imapName);
        try {
            return work.run(p, info);
        } finally {
            unselect(p);
        }
    }

    /** Sends a command and fails on a NO or BAD answer; returns every response, the tagged one last. */
    static Response[] send(IMAPProtocol p, String command, Argument args) throws ProtocolException {
        Response[] r = p.command(command, args);
        p.handleResult(r[r.length - 1]);
        return r;
    }

    /** The first item of type {@code type} among the FETCH responses, or {@code null}. */
    static <I extends Item> I fetched(Response[] responses, Class<I> type) {
        for (Response response : responses) {
            if (response instanceof FetchResponse f && f.getItem(type) != null) {
                return f.getItem(type);
            }
        }
        return null;
    }

    /** Marks the messages \Deleted and expunges exactly them (UID EXPUNGE, RFC 4315). */
    static void expunge(IMAPProtocol p, String uidSet) throws ProtocolException {
        send(p, "UID STORE " + uidSet + " +FLAGS.SILENT (\\Deleted)", null);
        if (!p.hasCapability("UIDPLUS")) {
            throw new MailStoreException(Kind.UNAVAILABLE, "the IMAP server lacks UIDPLUS (UID EXPUNGE)");
        }
        send(p, "UID EXPUNGE " + uidSet, null);
    }

    static void unselect(IMAPProtocol p) {
        try {
            if (p.hasCapability("UNSELECT")) {
                p.unselect();
            } else {
                p.close(); // after EXAMINE nothing is expunged; after SELECT only what we marked, which is gone
            }
        } catch (ProtocolException e) {
            // the next command selects anew
        }
    }

    static <T> T failureKinds(ImapCall<T> call) throws ProtocolException {
        try {
            return call.run();
        } catch (CommandFailedException e) {
            String text = String.valueOf(e.getMessage()).toUpperCase(Locale.ROOT);
            if (text.contains("[ALREADYEXISTS]")) {
                throw new MailStoreException(Kind.ALREADY_EXISTS, e.getMessage(), e);
            }
            if (text.contains("[NONEXISTENT]")) {
                throw new MailStoreException(Kind.NOT_FOUND, e.getMessage(), e);
            }
            if (text.contains("[CANNOT]") || text.contains("[NOPERM]")) {
                throw new MailStoreException(Kind.NOT_ALLOWED, e.getMessage(), e);
            }
            throw new MailStoreException(Kind.INVALID, e.getMessage(), e);
        }
    }

    static void failureKinds(VoidCall call) throws ProtocolException {
        failureKinds(() -> {
            call.run();
            return null;
        });
    }
}
