package dev.easgate.backends.imap;

import static dev.easgate.backends.imap.ImapCommands.expunge;
import static dev.easgate.backends.imap.ImapCommands.failureKinds;
import static dev.easgate.backends.imap.ImapCommands.send;
import static dev.easgate.backends.imap.ImapIds.encode;
import static dev.easgate.backends.imap.ImapIds.instant;
import static dev.easgate.backends.imap.ImapIds.itemId;
import static dev.easgate.backends.imap.ImapIds.notFound;

import dev.easgate.backends.imap.FolderList.Entry;
import dev.easgate.backends.imap.ImapIds.ItemRef;
import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import jakarta.mail.Flags;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.Literal;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.MODSEQ;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.eclipse.angus.mail.imap.protocol.UIDSet;

/**
 * The messages of a folder: whole-message fetches, APPEND (UIDPLUS), flag changes, MOVE (or COPY and expunge) and
 * deletion. A write answers with the message as the server now holds it. Blocking: the facade runs it on its
 * scheduler.
 */
final class ImapItems {
    /** The header naming the write that appended a message ({@link #addOnce}). */
    static final String WRITE_HEADER = "X-Easgate-Write";
    private static final Pattern WRITE_ID = Pattern.compile("[0-9a-z-]{1,64}");
    /** What a flag change's look inside the mailbox found: stored, the message gone, or else the right it lacks. */
    private static final char STORED = '\0';
    private static final char GONE = '?';
    private static final Pattern COPYUID = Pattern.compile("\\[COPYUID (\\d+) ([0-9:,]+) ([0-9:,]+)\\]");

    private final ImapConnections connections;
    private final ImapFolders folders;
    private final LongAdder messageFetches = new LongAdder();

    ImapItems(ImapConnections connections, ImapFolders folders) {
        this.connections = connections;
        this.folders = folders;
    }

    List<Item> items(String user, String folderId, List<String> ids) {
        Entry entry = folders.require(user, folderId);
        List<ItemRef> refs = ids.stream().map(id -> ItemRef.parse(id, entry.id())).flatMap(Optional::stream).toList();
        if (refs.isEmpty()) {
            return List.of();
        }
        return ImapCommands.inMailbox(connections, user, entry.imapName(), false, (p, info) -> {
            long[] uids = refs.stream().filter(r -> r.uidValidity() == info.uidvalidity)
                    .mapToLong(ItemRef::uid).toArray();
            if (uids.length == 0) {
                return List.<Item>of();
            }
            return fetch(p, entry, info.uidvalidity, UIDSet.toString(UIDSet.createUIDSets(uids)));
        });
    }

    Optional<Item> item(String user, String folderId, String itemId) {
        return items(user, folderId, List.of(itemId)).stream().findFirst();
    }

    Item add(String user, String folderId, ItemContent content) {
        Entry entry = folders.require(user, folderId);
        entry.rights().require('i', entry.imapName(), "adding a message");
        ItemContent.Email email = email(content);
        return append(user, entry, email.mime(), email.flags());
    }

    /**
     * The message carries its write id in a header of its own ({@value #WRITE_HEADER}); before appending, a
     * {@code UID SEARCH HEADER} for it finds the message an earlier attempt appended.
     */
    Item addOnce(String user, String folderId, String writeId, ItemContent content) {
        Entry entry = folders.require(user, folderId);
        entry.rights().require('i', entry.imapName(), "adding a message");
        ItemContent.Email email = email(content);
        if (!WRITE_ID.matcher(writeId).matches()) {
            throw new MailStoreException(Kind.INVALID, "not a write id");
        }
        Optional<Item> earlier = appendedUnder(user, entry, writeId);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        byte[] header = (WRITE_HEADER + ": " + writeId + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] marked = new byte[header.length + email.mime().length];
        System.arraycopy(header, 0, marked, 0, header.length);
        System.arraycopy(email.mime(), 0, marked, header.length, email.mime().length);
        return append(user, entry, marked, email.flags());
    }

    private Item append(String user, Entry entry, byte[] mime, EmailFlags flags) {
        AppendUID appended = connections.run(user, p -> failureKinds(() -> p.appenduid(entry.imapName(),
                ImapFlags.toFlags(flags), null, literal(mime), true)));
        if (appended == null) {
            throw new MailStoreException(Kind.UNAVAILABLE, "the IMAP server lacks UIDPLUS");
        }
        return fetchByUid(user, entry, appended.uidvalidity, appended.uid).orElseThrow(
                () -> new MailStoreException(Kind.UNAVAILABLE, "appended message is gone"));
    }

    /** The message appended under this write id, if it is still in the folder. */
    private Optional<Item> appendedUnder(String user, Entry entry, String writeId) {
        List<Item> found = ImapCommands.inMailbox(connections, user, entry.imapName(), false, (p, info) -> {
            if (info.total == 0) {
                return List.<Item>of();
            }
            Response[] r = failureKinds(() -> send(p, "UID SEARCH HEADER " + WRITE_HEADER + " " + writeId, null));
            long first = -1;
            for (Response response : r) {
                if (response instanceof IMAPResponse ir && ir.isUnTagged() && ir.keyEquals("SEARCH")) {
                    long uid = ir.readLong();
                    if (uid != -1) {
                        first = uid;
                    }
                }
            }
            return first == -1 ? List.<Item>of() : fetch(p, entry, info.uidvalidity, Long.toString(first));
        });
        return found.stream().findFirst();
    }

    /** Replaces the message's flags (the only part of an email a client changes in place). */
    Item change(String user, String folderId, String itemId, ItemContent content) {
        Entry entry = folders.require(user, folderId);
        ItemContent.Email email = email(content);
        ItemRef ref = ItemRef.parse(itemId, folderId).orElseThrow(() -> notFound(itemId));
        Flags flags = ImapFlags.toFlags(email.flags());
        ImapRights rights = entry.rights();
        char outcome = ImapCommands.inMailbox(connections, user, entry.imapName(), true, (p, info) -> {
            if (info.uidvalidity != ref.uidValidity()) {
                return GONE;
            }
            if (!rights.has('s') || !rights.has('w') || !rights.has('t')) {
                // RFC 4314 section 4: \Seen needs s, \Deleted t, any other flag w; a server may ignore a STORE
                // without them silently, so the change is refused here and the phone gets the item back
                FLAGS before = ImapCommands.fetched(send(p, "UID FETCH " + ref.uid() + " (FLAGS)", null),
                        FLAGS.class);
                if (before == null) {
                    return GONE;
                }
                char lacking = lackingRight(rights, before, flags);
                if (lacking != STORED) {
                    return lacking;
                }
            }
            send(p, "UID STORE " + ref.uid() + " FLAGS.SILENT " + ImapFlags.flagList(flags), new Argument());
            return STORED;
        });
        if (outcome == GONE) {
            throw notFound(itemId);
        }
        if (outcome != STORED) {
            rights.require(outcome, entry.imapName(), "changing a message's flags");
        }
        return fetchByUid(user, entry, ref.uidValidity(), ref.uid()).orElseThrow(() -> notFound(itemId));
    }

    void delete(String user, String folderId, String itemId) {
        Entry entry = folders.require(user, folderId);
        Optional<ItemRef> ref = ItemRef.parse(itemId, folderId);
        if (ref.isEmpty()) {
            return;
        }
        entry.rights().require('t', entry.imapName(), "deleting a message");
        entry.rights().require('e', entry.imapName(), "deleting a message");
        ImapCommands.inMailbox(connections, user, entry.imapName(), true, (p, info) -> {
            if (info.uidvalidity == ref.get().uidValidity()) {
                expunge(p, Long.toString(ref.get().uid()));
            }
            return null;
        });
    }

    Item move(String user, String fromFolderId, String itemId, String toFolderId) {
        Entry from = folders.require(user, fromFolderId);
        Entry to = folders.require(user, toFolderId);
        ItemRef ref = ItemRef.parse(itemId, fromFolderId).orElseThrow(() -> notFound(itemId));
        // RFC 6851 section 3.3 with RFC 4314: t and e in the source, i in the destination
        from.rights().require('t', from.imapName(), "moving a message out");
        from.rights().require('e', from.imapName(), "moving a message out");
        to.rights().require('i', to.imapName(), "moving a message in");
        long[] target = ImapCommands.inMailbox(connections, user, from.imapName(), true, (p, info) -> {
            if (info.uidvalidity != ref.uidValidity()) {
                return null;
            }
            Argument args = new Argument();
            args.writeString(BASE64MailboxEncoder.encode(to.imapName()));
            boolean move = p.hasCapability("MOVE");
            Response[] r = send(p, (move ? "UID MOVE " : "UID COPY ") + ref.uid(), args);
            long[] copied = null;
            for (Response response : r) {
                Matcher m = COPYUID.matcher(response.toString());
                if (m.find()) {
                    long[] dst = UIDSet.toArray(UIDSet.parseUIDSets(m.group(3)));
                    copied = new long[] {Long.parseLong(m.group(1)), dst[0]};
                }
            }
            if (copied != null && !move) {
                expunge(p, Long.toString(ref.uid()));
            }
            return copied;
        });
        if (target == null) {
            throw notFound(itemId);
        }
        return fetchByUid(user, to, target[0], target[1]).orElseThrow(() -> notFound(itemId));
    }

    /** The right a flag change lacks, or {@link #STORED} when it has them all (RFC 4314 section 4, STORE). */
    static char lackingRight(ImapRights rights, Flags before, Flags after) {
        if (before.contains(Flags.Flag.SEEN) != after.contains(Flags.Flag.SEEN) && !rights.has('s')) {
            return 's';
        }
        if (before.contains(Flags.Flag.DELETED) != after.contains(Flags.Flag.DELETED) && !rights.has('t')) {
            return 't';
        }
        if (!rights.has('w') && !otherFlags(before).equals(otherFlags(after))) {
            return 'w';
        }
        return STORED;
    }

    /** The flags a STORE needs w for: \\Answered, \\Draft, \\Flagged and the keywords (case-insensitive). */
    private static Set<String> otherFlags(Flags flags) {
        Set<String> names = new TreeSet<>();
        for (Flags.Flag flag : flags.getSystemFlags()) {
            if (flag == Flags.Flag.ANSWERED) {
                names.add("\\answered");
            } else if (flag == Flags.Flag.DRAFT) {
                names.add("\\draft");
            } else if (flag == Flags.Flag.FLAGGED) {
                names.add("\\flagged");
            }
        }
        for (String keyword : flags.getUserFlags()) {
            names.add(keyword.toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** Whole-message fetches (BODY.PEEK[]) so far. */
    long messageFetches() {
        return messageFetches.sum();
    }

    private Optional<Item> fetchByUid(String user, Entry entry, long uidValidity, long uid) {
        List<Item> items = ImapCommands.inMailbox(connections, user, entry.imapName(), false, (p, info) ->
                info.uidvalidity != uidValidity ? List.<Item>of() : fetch(p, entry, uidValidity, Long.toString(uid)));
        return items.stream().findFirst();
    }

    private List<Item> fetch(IMAPProtocol p, Entry entry, long uidValidity, String uidSet)
            throws ProtocolException {
        messageFetches.increment();
        Response[] r = send(p, "UID FETCH " + uidSet + " (UID FLAGS INTERNALDATE MODSEQ BODY.PEEK[])", null);
        List<Item> items = new ArrayList<>();
        for (Response response : r) {
            if (response instanceof FetchResponse f) {
                UID uid = f.getItem(UID.class);
                BODY body = f.getItem(BODY.class);
                MODSEQ ms = f.getItem(MODSEQ.class);
                if (uid == null || body == null || ms == null) {
                    continue;
                }
                FLAGS flags = f.getItem(FLAGS.class);
                byte[] mime = body.getByteArray().getNewBytes();
                items.add(new Item(itemId(entry.id(), uidValidity, uid.uid), entry.id(),
                        encode(uidValidity, ms.modseq), instant(f.getItem(INTERNALDATE.class)),
                        new ItemContent.Email(mime, ImapFlags.fromFlags(flags == null ? new Flags() : flags))));
            }
        }
        return items;
    }

    private static ItemContent.Email email(ItemContent content) {
        if (!(content instanceof ItemContent.Email email)) {
            throw new MailStoreException(Kind.INVALID, "an IMAP folder holds emails only");
        }
        return email;
    }

    private static Literal literal(byte[] mime) {
        return new Literal() {
            @Override
            public int size() {
                return mime.length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(mime);
            }
        };
    }
}
