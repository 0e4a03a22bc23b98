package dev.easgate.backends.imap;

import dev.easgate.backends.mail.AttachmentSource;
import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailSearch;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import jakarta.mail.Flags;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.Literal;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxDecoder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.ListInfo;
import org.eclipse.angus.mail.imap.protocol.MODSEQ;
import org.eclipse.angus.mail.imap.protocol.MailboxInfo;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.eclipse.angus.mail.imap.protocol.UIDSet;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A user's IMAP mailbox as a {@link MailStore}: mail folders only (an IMAP server has no contacts or calendars;
 * a composite store routes those elsewhere).
 *
 * <p><b>Ids.</b> A folder's id is its RFC 8474 MAILBOXID when the server has OBJECTID, else Dovecot's mailbox GUID
 * (the X-GUID status item; Dovecot 2.3 has no OBJECTID), so it survives renames; a server with neither gets a hash of
 * the folder's name, and a rename then changes the id (the device sees a delete and an add). An item's id is {@code <folderId>:<UIDVALIDITY>:<UID>}: after a UIDVALIDITY
 * change every old id is simply gone.
 *
 * <p><b>Change tracking.</b> CONDSTORE/QRESYNC (RFC 7162): {@link #changesSince} asks the server only for what
 * changed ({@code UID FETCH 1:* (...) (CHANGEDSINCE m VANISHED)}). The modification sequences this store hands out
 * carry the low 20 bits of the folder's UIDVALIDITY above the IMAP MODSEQ (43 bits), so a sequence from before a
 * UIDVALIDITY change is recognised without any state on the gateway, on any node, and answered with
 * {@link FolderChanges#resetRequired()} and the whole folder.
 *
 * <p><b>Flags.</b> \Seen is Read, \Flagged is FlagStatus 2 (keyword {@code $EasFlagComplete} is 1), \Answered is
 * LastVerbExecuted 1 (2 with keyword {@code $EasReplyAll}), {@code $Forwarded} is 3; other keywords not starting
 * with {@code $} are categories. IMAP keeps no time of the last verb.
 *
 * <p>Every call runs on the given bounded blocking scheduler, on a pooled connection of the user.
 */
public final class ImapMailStore implements MailStore, AttachmentSource, MailSearch {
    static final int TAG_BITS = 20;
    static final int MODSEQ_BITS = 63 - TAG_BITS;
    static final long MODSEQ_MASK = (1L << MODSEQ_BITS) - 1;
    static final String KEYWORD_COMPLETE = "$EasFlagComplete";
    static final String KEYWORD_REPLY_ALL = "$EasReplyAll";
    static final String KEYWORD_FORWARDED = "$Forwarded";
    private static final Duration FOLDER_CACHE = Duration.ofSeconds(30);
    /** The header naming the write that appended a message ({@link #addOnce}). */
    static final String WRITE_HEADER = "X-Easgate-Write";
    private static final Pattern WRITE_ID = Pattern.compile("[0-9a-z-]{1,64}");
    private static final Pattern MAILBOXID = Pattern.compile("(?:MAILBOXID \\(|X-GUID )([A-Za-z0-9_-]+)");
    private static final Pattern COPYUID = Pattern.compile("\\[COPYUID (\\d+) ([0-9:,]+) ([0-9:,]+)\\]");
    private static final Pattern OBJECT_ID = Pattern.compile("[A-Za-z0-9_-]{1,40}");

    private final ImapConnections connections;
    private final Scheduler scheduler;
    private final Map<String, FolderList> folderCache = new ConcurrentHashMap<>();
    /** Whether the server answers Dovecot's X-GUID status item (tried until it refuses once). */
    private volatile boolean xGuid = true;
    /**
     * For the fallback watcher, when on: the IMAP HIGHESTMODSEQ by user and folder id from the first look after the
     * user parked (the park's own store check, {@link #changesSince}) or from the watcher's last poll.
     */
    private final Map<String, Map<String, Long>> watermarks = new ConcurrentHashMap<>();
    private volatile boolean keepWatermarks;
    private final java.util.concurrent.atomic.LongAdder statusCommands = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder messageFetches = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder partFetches = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder slices = new java.util.concurrent.atomic.LongAdder();

    public ImapMailStore(ImapConnections connections, Scheduler scheduler) {
        this.connections = connections;
        this.scheduler = scheduler;
    }

    public ImapConnections connections() {
        return connections;
    }

    // ---- folders ------------------------------------------------------------------------------------------------

    @Override
    public Flux<Folder> folders(String user) {
        return call(() -> list(user, true).folders()).flatMapIterable(list -> list);
    }

    @Override
    public Mono<Folder> createFolder(String user, String parentId, String name, FolderType type) {
        return call(() -> {
            if (type.itemClass() != ItemClass.EMAIL) {
                throw new MailStoreException(Kind.INVALID, "an IMAP store holds mail folders only, not " + type);
            }
            FolderList list = list(user, false);
            String parentName = parentId.equals(Folder.ROOT) ? null : list.require(parentId).imapName();
            checkName(name, list.separator());
            String full = parentName == null ? name : parentName + list.separator() + name;
            if (list.byName(full).isPresent()) {
                throw new MailStoreException(Kind.ALREADY_EXISTS, "folder " + full + " exists");
            }
            connections.run(user, p -> {
                failureKinds(() -> p.create(full));
                return null;
            });
            return list(user, true).byName(full).orElseThrow(() -> new MailStoreException(Kind.UNAVAILABLE,
                    "created folder " + full + " is not listed")).folder();
        });
    }

    @Override
    public Mono<Folder> updateFolder(String user, String folderId, String newParentId, String newName) {
        return call(() -> {
            FolderList list = list(user, false);
            Entry entry = list.require(folderId);
            if (entry.special()) {
                throw new MailStoreException(Kind.NOT_ALLOWED, "special folder " + entry.imapName());
            }
            String parentName = null;
            if (!newParentId.equals(Folder.ROOT)) {
                Entry parent = list.require(newParentId);
                if (parent.id().equals(folderId) || parent.imapName().startsWith(entry.imapName() + list.separator())) {
                    throw new MailStoreException(Kind.INVALID, "a folder cannot move below itself");
                }
                parentName = parent.imapName();
            }
            checkName(newName, list.separator());
            String full = parentName == null ? newName : parentName + list.separator() + newName;
            if (!full.equals(entry.imapName())) {
                if (list.byName(full).isPresent()) {
                    throw new MailStoreException(Kind.ALREADY_EXISTS, "folder " + full + " exists");
                }
                connections.run(user, p -> {
                    failureKinds(() -> p.rename(entry.imapName(), full));
                    return null;
                });
            }
            FolderList after = list(user, true);
            return after.byId(folderId).or(() -> after.byName(full)).orElseThrow(() -> new MailStoreException(
                    Kind.UNAVAILABLE, "renamed folder " + full + " is not listed")).folder();
        });
    }

    @Override
    public Mono<Void> deleteFolder(String user, String folderId) {
        return call(() -> {
            FolderList list = list(user, false);
            Entry entry = list.require(folderId);
            if (entry.special()) {
                throw new MailStoreException(Kind.NOT_ALLOWED, "special folder " + entry.imapName());
            }
            List<Entry> doomed = new ArrayList<>(list.descendants(entry));
            doomed.add(entry);
            deleteDeepestFirst(user, doomed);
            folderCache.remove(user);
            return Boolean.TRUE;
        }).then();
    }

    private void deleteDeepestFirst(String user, List<Entry> doomed) {
        List<Entry> ordered = new ArrayList<>(doomed);
        ordered.sort(Comparator.comparingInt((Entry e) -> e.imapName().length()).reversed());
        connections.run(user, p -> {
            for (Entry e : ordered) {
                failureKinds(() -> p.delete(e.imapName()));
            }
            return null;
        });
    }

    // ---- items --------------------------------------------------------------------------------------------------

    @Override
    public Mono<FolderChanges> changesSince(String user, String folderId, long modSeq) {
        return call(() -> {
            Entry entry = list(user, false).require(folderId);
            return connections.run(user, p -> {
                boolean qresync = p.hasCapability("QRESYNC");
                if (qresync && !p.isEnabled("QRESYNC")) {
                    p.enable("QRESYNC");
                }
                MailboxInfo info = p.examine(entry.imapName());
                try {
                    long uidValidity = info.uidvalidity;
                    long highest = info.highestmodseq;
                    if (highest < 0) {
                        throw new MailStoreException(Kind.UNAVAILABLE, "the IMAP server lacks CONDSTORE");
                    }
                    if (keepWatermarks) {
                        // only the first look: later Syncs of other devices must not hide a change from the watcher
                        watermarks.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).putIfAbsent(folderId,
                                highest);
                    }
                    long encodedHighest = encode(uidValidity, highest);
                    boolean reset = modSeq != 0 && (!sameEpoch(modSeq, uidValidity) || modSeq > encodedHighest
                            || !qresync);
                    List<ItemVersion> changed = new ArrayList<>();
                    List<String> vanished = new ArrayList<>();
                    String command;
                    if (modSeq == 0 || reset) {
                        command = "UID FETCH 1:* (UID INTERNALDATE MODSEQ)";
                        if (info.total == 0) {
                            command = null;
                        }
                    } else {
                        command = "UID FETCH 1:* (UID INTERNALDATE MODSEQ) (CHANGEDSINCE " + (modSeq & MODSEQ_MASK)
                                + " VANISHED)";
                    }
                    if (command != null) {
                        Response[] responses = p.command(command, null);
                        p.handleResult(responses[responses.length - 1]);
                        for (Response r : responses) {
                            if (r instanceof FetchResponse f) {
                                UID uid = f.getItem(UID.class);
                                MODSEQ ms = f.getItem(MODSEQ.class);
                                INTERNALDATE date = f.getItem(INTERNALDATE.class);
                                if (uid != null && ms != null) {
                                    changed.add(new ItemVersion(itemId(folderId, uidValidity, uid.uid),
                                            encode(uidValidity, ms.modseq), instant(date)));
                                }
                            } else if (r instanceof IMAPResponse ir && ir.isUnTagged() && ir.keyEquals("VANISHED")) {
                                vanished.addAll(vanishedIds(ir, folderId, uidValidity, info.uidnext));
                            }
                        }
                    }
                    changed.sort(Comparator.comparingLong(ItemVersion::modSeq));
                    return new FolderChanges(encodedHighest, changed, vanished, reset);
                } finally {
                    unselect(p);
                }
            });
        });
    }

    @Override
    public Flux<Item> items(String user, String folderId, Collection<String> ids) {
        List<String> wanted = List.copyOf(ids);
        return call(() -> {
            Entry entry = list(user, false).require(folderId);
            return fetchItems(user, entry, wanted);
        }).flatMapIterable(list -> list);
    }

    @Override
    public Mono<Item> item(String user, String folderId, String itemId) {
        return call(() -> {
            Entry entry = list(user, false).require(folderId);
            List<Item> found = fetchItems(user, entry, List.of(itemId));
            return found.isEmpty() ? Optional.<Item>empty() : Optional.of(found.get(0));
        }).flatMap(Mono::justOrEmpty);
    }

    @Override
    public Mono<Item> add(String user, String folderId, ItemContent content) {
        return call(() -> {
            Entry entry = list(user, false).require(folderId);
            if (!(content instanceof ItemContent.Email email)) {
                throw new MailStoreException(Kind.INVALID, "an IMAP folder holds emails only");
            }
            return append(user, entry, email.mime(), email.flags());
        });
    }

    /**
     * The message carries its write id in a header of its own ({@value #WRITE_HEADER}); before appending, a
     * {@code UID SEARCH HEADER} for it finds the message an earlier attempt appended.
     */
    @Override
    public Mono<Item> addOnce(String user, String folderId, String writeId, ItemContent content) {
        return call(() -> {
            Entry entry = list(user, false).require(folderId);
            if (!(content instanceof ItemContent.Email email)) {
                throw new MailStoreException(Kind.INVALID, "an IMAP folder holds emails only");
            }
            if (!WRITE_ID.matcher(writeId).matches()) {
                throw new MailStoreException(Kind.INVALID, "not a write id");
            }
            Optional<Item> earlier = written(user, entry, writeId);
            if (earlier.isPresent()) {
                return earlier.get();
            }
            byte[] header = (WRITE_HEADER + ": " + writeId + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] marked = new byte[header.length + email.mime().length];
            System.arraycopy(header, 0, marked, 0, header.length);
            System.arraycopy(email.mime(), 0, marked, header.length, email.mime().length);
            return append(user, entry, marked, email.flags());
        });
    }

    private Item append(String user, Entry entry, byte[] mime, EmailFlags flags) {
        AppendUID appended = connections.run(user, p -> failureKinds(() -> p.appenduid(entry.imapName(),
                toFlags(flags), null, literal(mime), true)));
        if (appended == null) {
            throw new MailStoreException(Kind.UNAVAILABLE, "the IMAP server lacks UIDPLUS");
        }
        return fetchByUid(user, entry, appended.uidvalidity, appended.uid).orElseThrow(
                () -> new MailStoreException(Kind.UNAVAILABLE, "appended message is gone"));
    }

    /** The message appended under this write id, if it is still in the folder. */
    private Optional<Item> written(String user, Entry entry, String writeId) {
        List<Item> found = connections.run(user, p -> {
            MailboxInfo info = p.examine(entry.imapName());
            try {
                if (info.total == 0) {
                    return List.<Item>of();
                }
                Response[] r = failureKinds(() -> {
                    Response[] answer = p.command("UID SEARCH HEADER " + WRITE_HEADER + " " + writeId, null);
                    p.handleResult(answer[answer.length - 1]);
                    return answer;
                });
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
            } finally {
                unselect(p);
            }
        });
        return found.stream().findFirst();
    }

    @Override
    public Mono<Item> change(String user, String folderId, String itemId, ItemContent content) {
        return call(() -> {
            Entry entry = list(user, false).require(folderId);
            if (!(content instanceof ItemContent.Email email)) {
                throw new MailStoreException(Kind.INVALID, "an IMAP folder holds emails only");
            }
            ItemRef ref = ItemRef.parse(itemId, folderId).orElseThrow(() -> notFound(itemId));
            Flags flags = toFlags(email.flags());
            boolean stored = connections.run(user, p -> {
                MailboxInfo info = p.select(entry.imapName());
                try {
                    if (info.uidvalidity != ref.uidValidity()) {
                        return false;
                    }
                    Argument args = new Argument();
                    Response[] r = p.command("UID STORE " + ref.uid() + " FLAGS.SILENT " + flagList(flags), args);
                    p.handleResult(r[r.length - 1]);
                    return true;
                } finally {
                    unselect(p);
                }
            });
            if (!stored) {
                throw notFound(itemId);
            }
            return fetchByUid(user, entry, ref.uidValidity(), ref.uid()).orElseThrow(() -> notFound(itemId));
        });
    }

    @Override
    public Mono<Void> delete(String user, String folderId, String itemId) {
        return call(() -> {
            Entry entry = list(user, false).require(folderId);
            Optional<ItemRef> ref = ItemRef.parse(itemId, folderId);
            if (ref.isEmpty()) {
                return Boolean.TRUE;
            }
            connections.run(user, p -> {
                MailboxInfo info = p.select(entry.imapName());
                try {
                    if (info.uidvalidity == ref.get().uidValidity()) {
                        expunge(p, Long.toString(ref.get().uid()));
                    }
                    return null;
                } finally {
                    unselect(p);
                }
            });
            return Boolean.TRUE;
        }).then();
    }

    @Override
    public Mono<Item> move(String user, String fromFolderId, String itemId, String toFolderId) {
        return call(() -> {
            FolderList list = list(user, false);
            Entry from = list.require(fromFolderId);
            Entry to = list.require(toFolderId);
            ItemRef ref = ItemRef.parse(itemId, fromFolderId).orElseThrow(() -> notFound(itemId));
            long[] target = connections.run(user, p -> {
                MailboxInfo info = p.select(from.imapName());
                try {
                    if (info.uidvalidity != ref.uidValidity()) {
                        return null;
                    }
                    Argument args = new Argument();
                    args.writeString(BASE64MailboxEncoder.encode(to.imapName()));
                    boolean move = p.hasCapability("MOVE");
                    Response[] r = p.command((move ? "UID MOVE " : "UID COPY ") + ref.uid(), args);
                    p.handleResult(r[r.length - 1]);
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
                } finally {
                    unselect(p);
                }
            });
            if (target == null) {
                throw notFound(itemId);
            }
            return fetchByUid(user, to, target[0], target[1]).orElseThrow(() -> notFound(itemId));
        });
    }

    @Override
    public Mono<Void> emptyFolder(String user, String folderId, boolean deleteSubfolders) {
        return call(() -> {
            FolderList list = list(user, false);
            Entry entry = list.require(folderId);
            connections.run(user, p -> {
                MailboxInfo info = p.select(entry.imapName());
                try {
                    if (info.total > 0) {
                        expunge(p, "1:*");
                    }
                    return null;
                } finally {
                    unselect(p);
                }
            });
            if (deleteSubfolders) {
                List<Entry> children = list.descendants(entry);
                if (!children.isEmpty()) {
                    deleteDeepestFirst(user, children);
                    folderCache.remove(user);
                }
            }
            return Boolean.TRUE;
        }).then();
    }

    /** What one fallback poll of a user found. */
    public record Polled(int asked, List<String> moved, boolean hierarchy) {
    }

    /**
     * For the fallback watcher of servers that cannot push: one CONDSTORE {@code STATUS (HIGHESTMODSEQ)} per given
     * folder of this store (ids of other stores are skipped), at most {@code maxFolders}; a folder whose
     * HIGHESTMODSEQ moved since this node last saw it is {@link Polled#moved}, one seen for the first time is only
     * recorded, one that vanished meanwhile makes {@link Polled#hierarchy}. Turns the watermarks on.
     */
    public Mono<Polled> pollModSeqs(String user, Collection<String> folderIds, int maxFolders) {
        keepWatermarks();
        return call(() -> {
            // a folder list of any age: a poll must not cost a LIST; a renamed or deleted folder fails its STATUS
            FolderList cached = folderCache.get(user);
            FolderList list = cached != null ? cached : list(user, false);
            List<Entry> asked = folderIds.stream().map(list::byId).flatMap(Optional::stream).limit(maxFolders)
                    .toList();
            if (asked.isEmpty()) {
                return new Polled(0, List.of(), false);
            }
            Map<String, Long> seen = watermarks.computeIfAbsent(user, u -> new ConcurrentHashMap<>());
            return connections.run(user, p -> {
                List<String> moved = new ArrayList<>();
                boolean hierarchy = false;
                for (Entry entry : asked) {
                    try {
                        statusCommands.increment();
                        long now = p.status(entry.imapName(), new String[] {"HIGHESTMODSEQ"}).highestmodseq;
                        Long before = seen.put(entry.id(), now);
                        if (before != null && before != now) {
                            moved.add(entry.id());
                        }
                    } catch (CommandFailedException gone) {
                        folderCache.remove(user); // renamed or deleted meanwhile: the next look lists anew
                        seen.remove(entry.id());
                        hierarchy = true;
                    }
                }
                return new Polled(asked.size(), moved, hierarchy);
            });
        });
    }

    /** From now on the first look at a folder after a user parks records its watermark (the watcher calls it). */
    public void keepWatermarks() {
        keepWatermarks = true;
    }

    /** Drops the watermarks of users no longer watched (they are taken anew when the user parks again). */
    public void retainWatermarks(java.util.function.Predicate<String> watched) {
        watermarks.keySet().removeIf(user -> !watched.test(user));
    }

    /** STATUS commands the fallback polls sent (for tests and diagnostics). */
    public long statusCommands() {
        return statusCommands.sum();
    }

    // ---- attachments -----------------------------------------------------------------------------------------------

    /** Encoded bytes one partial {@code BODY.PEEK[section]<offset.length>} fetch asks for. */
    public static final int ATTACHMENT_SLICE = 256 * 1024;
    /** Decoded bytes per chunk of an attachment's content. */
    private static final int ATTACHMENT_CHUNK = 64 * 1024;

    /**
     * One attachment without the rest of the message: {@code UID FETCH (BODYSTRUCTURE)} to find the leaf's IMAP
     * section, then its content. A part of at most {@link #ATTACHMENT_SLICE} encoded bytes comes in the same call
     * ({@code BODY.PEEK[section]}), with its exact decoded size. A larger one is streamed: each slice is a partial
     * fetch {@code BODY.PEEK[section]<offset.length>} on a pooled connection, made only when the reader has taken
     * the previous one, decoded from its transfer encoding as it goes; at most one slice is held. A UIDVALIDITY
     * change between slices fails the stream.
     */
    @Override
    public Mono<Attachment> attachment(String user, String folderId, String itemId, int leafIndex) {
        return call(() -> {
            Entry entry = list(user, false).require(folderId);
            Optional<ItemRef> ref = ItemRef.parse(itemId, folderId);
            if (ref.isEmpty() || leafIndex < 0) {
                return Optional.<Attachment>empty();
            }
            return connections.run(user, p -> {
                MailboxInfo info = p.examine(entry.imapName());
                try {
                    return info.uidvalidity != ref.get().uidValidity() ? Optional.<Attachment>empty()
                            : fetchPart(p, user, entry.imapName(), ref.get(), leafIndex);
                } finally {
                    unselect(p);
                }
            });
        }).flatMap(Mono::justOrEmpty);
    }

    /**
     * {@code UID SEARCH} in the folder: each free-text word as {@code OR SUBJECT FROM TO CC BODY}, all words ANDed,
     * the received range as {@code SINCE}/{@code BEFORE} widened by a day (IMAP compares whole days), then
     * {@code UID FETCH (UID INTERNALDATE MODSEQ)} of the hits, kept when their INTERNALDATE is in the exact range.
     */
    @Override
    public Flux<ItemVersion> search(String user, String folderId, MailQuery query) {
        return call(() -> {
            Entry entry = list(user, false).require(folderId);
            jakarta.mail.search.SearchTerm term = searchTerm(query);
            return connections.run(user, p -> {
                MailboxInfo info = p.examine(entry.imapName());
                try {
                    if (info.total == 0) {
                        return List.<ItemVersion>of();
                    }
                    long uidValidity = info.uidvalidity;
                    Argument args = new Argument();
                    if (term == null) {
                        args.writeAtom("ALL");
                    } else {
                        String charset = org.eclipse.angus.mail.imap.protocol.SearchSequence.isAscii(term) ? null
                                : "UTF-8";
                        if (charset != null) {
                            args.writeAtom("CHARSET").writeAtom(charset);
                        }
                        try {
                            args.append(new org.eclipse.angus.mail.imap.protocol.SearchSequence(p)
                                    .generateSequence(term, charset));
                        } catch (jakarta.mail.search.SearchException | IOException e) {
                            throw new MailStoreException(Kind.INVALID, "cannot express the search in IMAP", e);
                        }
                    }
                    Response[] responses = failureKinds(() -> {
                        Response[] r = p.command("UID SEARCH", args);
                        p.handleResult(r[r.length - 1]);
                        return r;
                    });
                    List<Long> uids = new ArrayList<>();
                    for (Response r : responses) {
                        if (r instanceof IMAPResponse ir && ir.isUnTagged() && ir.keyEquals("SEARCH")) {
                            long uid;
                            while ((uid = ir.readLong()) != -1) {
                                uids.add(uid);
                            }
                        }
                    }
                    if (uids.isEmpty()) {
                        return List.<ItemVersion>of();
                    }
                    Response[] fetched = p.command("UID FETCH " + UIDSet.toString(UIDSet.createUIDSets(
                            uids.stream().mapToLong(Long::longValue).sorted().toArray()))
                            + " (UID INTERNALDATE MODSEQ)", null);
                    p.handleResult(fetched[fetched.length - 1]);
                    List<ItemVersion> hits = new ArrayList<>();
                    for (Response r : fetched) {
                        if (r instanceof FetchResponse f) {
                            UID uid = f.getItem(UID.class);
                            MODSEQ ms = f.getItem(MODSEQ.class);
                            INTERNALDATE date = f.getItem(INTERNALDATE.class);
                            if (uid == null || ms == null || date == null) {
                                continue;
                            }
                            Instant received = instant(date);
                            if ((query.receivedAfter() == null || received.isAfter(query.receivedAfter()))
                                    && (query.receivedBefore() == null
                                    || received.isBefore(query.receivedBefore()))) {
                                hits.add(new ItemVersion(itemId(folderId, uidValidity, uid.uid),
                                        encode(uidValidity, ms.modseq), received));
                            }
                        }
                    }
                    return hits;
                } finally {
                    unselect(p);
                }
            });
        }).flatMapIterable(list -> list);
    }

    /** The query as a Jakarta Mail search term, or {@code null} when it has no condition. */
    static jakarta.mail.search.SearchTerm searchTerm(MailQuery query) {
        List<jakarta.mail.search.SearchTerm> all = new ArrayList<>();
        for (String word : query.words()) {
            all.add(new jakarta.mail.search.OrTerm(new jakarta.mail.search.SearchTerm[] {
                    new jakarta.mail.search.SubjectTerm(word),
                    new jakarta.mail.search.FromStringTerm(word),
                    new jakarta.mail.search.RecipientStringTerm(jakarta.mail.Message.RecipientType.TO, word),
                    new jakarta.mail.search.RecipientStringTerm(jakarta.mail.Message.RecipientType.CC, word),
                    new jakarta.mail.search.BodyTerm(word)}));
        }
        Duration day = Duration.ofDays(1);
        if (query.receivedAfter() != null) {
            all.add(new jakarta.mail.search.ReceivedDateTerm(jakarta.mail.search.ComparisonTerm.GE,
                    java.util.Date.from(query.receivedAfter().minus(day))));
        }
        if (query.receivedBefore() != null) {
            all.add(new jakarta.mail.search.ReceivedDateTerm(jakarta.mail.search.ComparisonTerm.LT,
                    java.util.Date.from(query.receivedBefore().plus(day.multipliedBy(2)))));
        }
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0)
                : new jakarta.mail.search.AndTerm(all.toArray(jakarta.mail.search.SearchTerm[]::new));
    }

    private Optional<Attachment> fetchPart(IMAPProtocol p, String user, String imapName, ItemRef ref, int leafIndex)
            throws ProtocolException {
        long uid = ref.uid();
        Response[] r = p.command("UID FETCH " + uid + " (UID BODYSTRUCTURE)", null);
        p.handleResult(r[r.length - 1]);
        BODYSTRUCTURE structure = null;
        for (Response response : r) {
            if (response instanceof FetchResponse f && f.getItem(BODYSTRUCTURE.class) != null) {
                structure = f.getItem(BODYSTRUCTURE.class);
            }
        }
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
        if (leaf.part().size > ATTACHMENT_SLICE) {
            return Optional.of(new Attachment(type, -1, streamedPart(user, imapName, ref, leaf.section(),
                    leaf.part().size, encoding)));
        }
        r = p.command("UID FETCH " + uid + " (BODY.PEEK[" + leaf.section() + "])", null);
        p.handleResult(r[r.length - 1]);
        for (Response response : r) {
            if (response instanceof FetchResponse f && f.getItem(BODY.class) != null) {
                org.eclipse.angus.mail.iap.ByteArray encoded = f.getItem(BODY.class).getByteArray();
                byte[] decoded = encoded == null ? new byte[0] : decode(encoded, encoding);
                return Optional.of(new Attachment(type, decoded.length, Flux.just(decoded)));
            }
        }
        return Optional.empty();
    }

    /** The decoded content of a large part, read slice by slice on this store's scheduler as it is requested. */
    private Flux<byte[]> streamedPart(String user, String imapName, ItemRef ref, String section, long encodedSize,
                                      String encoding) {
        return Flux.<byte[], java.io.InputStream>generate(
                () -> decoding(new PartSlices(user, imapName, ref, section, encodedSize), encoding),
                (in, sink) -> {
                    try {
                        byte[] chunk = in.readNBytes(ATTACHMENT_CHUNK);
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

    private static java.io.InputStream decoding(java.io.InputStream encoded, String encoding) {
        try {
            return jakarta.mail.internet.MimeUtility.decode(encoded, encoding);
        } catch (jakarta.mail.MessagingException unknownEncoding) {
            return encoded; // an encoding MIME does not know: the bytes as they are
        }
    }

    /** The encoded bytes of one part, fetched {@link #ATTACHMENT_SLICE} at a time when the reader gets there. */
    private final class PartSlices extends java.io.InputStream {
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
                slice = connections.run(user, p -> {
                    MailboxInfo info = p.examine(imapName);
                    try {
                        if (info.uidvalidity != ref.uidValidity()) {
                            throw new MailStoreException(Kind.NOT_FOUND, "the folder was recreated while an "
                                    + "attachment was read");
                        }
                        Response[] r = p.command("UID FETCH " + ref.uid() + " (BODY.PEEK[" + section + "]<" + offset
                                + "." + ATTACHMENT_SLICE + ">)", null);
                        p.handleResult(r[r.length - 1]);
                        for (Response response : r) {
                            if (response instanceof FetchResponse f && f.getItem(BODY.class) != null) {
                                org.eclipse.angus.mail.iap.ByteArray bytes = f.getItem(BODY.class).getByteArray();
                                return bytes == null ? new byte[0] : bytes.getNewBytes();
                            }
                        }
                        throw new MailStoreException(Kind.NOT_FOUND, "the message is gone");
                    } finally {
                        unselect(p);
                    }
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

    private static byte[] decode(org.eclipse.angus.mail.iap.ByteArray encoded, String encoding) {
        try (java.io.InputStream in = decoding(encoded.toByteArrayInputStream(), encoding)) {
            return in.readAllBytes();
        } catch (IOException malformed) {
            return encoded.getNewBytes(); // undecodable: the bytes as they are
        }
    }

    /** Whole-message fetches (BODY.PEEK[]) and single-part fetches so far (for tests and diagnostics). */
    public long messageFetches() {
        return messageFetches.sum();
    }

    public long partFetches() {
        return partFetches.sum();
    }

    /** Partial fetches ({@code BODY.PEEK[section]<offset.length>}) of streamed large attachments so far. */
    public long attachmentSlices() {
        return slices.sum();
    }

    // ---- IMAP helpers ---------------------------------------------------------------------------------------------

    private List<Item> fetchItems(String user, Entry entry, List<String> ids) {
        List<ItemRef> refs = ids.stream().map(id -> ItemRef.parse(id, entry.id())).flatMap(Optional::stream).toList();
        if (refs.isEmpty()) {
            return List.of();
        }
        return connections.run(user, p -> {
            MailboxInfo info = p.examine(entry.imapName());
            try {
                long[] uids = refs.stream().filter(r -> r.uidValidity() == info.uidvalidity)
                        .mapToLong(ItemRef::uid).toArray();
                if (uids.length == 0) {
                    return List.<Item>of();
                }
                return fetch(p, entry, info.uidvalidity, UIDSet.toString(UIDSet.createUIDSets(uids)));
            } finally {
                unselect(p);
            }
        });
    }

    private Optional<Item> fetchByUid(String user, Entry entry, long uidValidity, long uid) {
        List<Item> items = connections.run(user, p -> {
            MailboxInfo info = p.examine(entry.imapName());
            try {
                return info.uidvalidity != uidValidity ? List.<Item>of()
                        : fetch(p, entry, uidValidity, Long.toString(uid));
            } finally {
                unselect(p);
            }
        });
        return items.stream().findFirst();
    }

    private List<Item> fetch(IMAPProtocol p, Entry entry, long uidValidity, String uidSet)
            throws ProtocolException {
        messageFetches.increment();
        Response[] r = p.command("UID FETCH " + uidSet + " (UID FLAGS INTERNALDATE MODSEQ BODY.PEEK[])", null);
        p.handleResult(r[r.length - 1]);
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
                        new ItemContent.Email(mime, fromFlags(flags == null ? new Flags() : flags))));
            }
        }
        return items;
    }

    /** Marks the messages \Deleted and expunges exactly them (UID EXPUNGE, RFC 4315). */
    private static void expunge(IMAPProtocol p, String uidSet) throws ProtocolException {
        Response[] r = p.command("UID STORE " + uidSet + " +FLAGS.SILENT (\\Deleted)", null);
        p.handleResult(r[r.length - 1]);
        if (!p.hasCapability("UIDPLUS")) {
            throw new MailStoreException(Kind.UNAVAILABLE, "the IMAP server lacks UIDPLUS (UID EXPUNGE)");
        }
        r = p.command("UID EXPUNGE " + uidSet, null);
        p.handleResult(r[r.length - 1]);
    }

    private static void unselect(IMAPProtocol p) {
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

    private static List<String> vanishedIds(IMAPResponse response, String folderId, long uidValidity, long uidNext) {
        String rest = response.getRest().strip();
        if (rest.startsWith("(EARLIER)")) {
            rest = rest.substring("(EARLIER)".length()).strip();
        }
        List<String> ids = new ArrayList<>();
        for (UIDSet set : UIDSet.parseUIDSets(rest)) {
            long end = Math.min(set.end, uidNext > 0 ? uidNext - 1 : set.end);
            for (long uid = set.start; uid <= end && ids.size() < 1_000_000; uid++) {
                ids.add(itemId(folderId, uidValidity, uid));
            }
        }
        return ids;
    }

    // ---- folder list ----------------------------------------------------------------------------------------------

    private FolderList list(String user, boolean fresh) {
        FolderList cached = folderCache.get(user);
        if (!fresh && cached != null && System.nanoTime() - cached.loadedAt() < FOLDER_CACHE.toNanos()) {
            return cached;
        }
        FolderList loaded = connections.run(user, this::loadFolders);
        folderCache.put(user, loaded);
        return loaded;
    }

    /**
     * One LIST with SPECIAL-USE and every mailbox's stable id through LIST-STATUS: the RFC 8474 MAILBOXID with
     * OBJECTID, else Dovecot's X-GUID status item (Dovecot 2.3 has no OBJECTID); a server that knows neither
     * gets folder ids hashed from the names.
     */
    private FolderList loadFolders(IMAPProtocol p) throws ProtocolException {
        boolean listStatus = p.hasCapability("LIST-STATUS");
        String idItem = p.hasCapability("OBJECTID") ? "MAILBOXID" : xGuid ? "X-GUID" : null;
        boolean specialUse = p.hasCapability("SPECIAL-USE");
        List<String> returns = new ArrayList<>();
        if (specialUse) {
            returns.add("SPECIAL-USE");
        }
        if (listStatus && idItem != null) {
            returns.add("STATUS (" + idItem + ")");
        }
        String command = "LIST \"\" \"*\"" + (returns.isEmpty() ? "" : " RETURN (" + String.join(" ", returns) + ")");
        Response[] r = p.command(command, null);
        Response result = r[r.length - 1];
        if ((result.isBAD() || result.isNO()) && "X-GUID".equals(idItem)) {
            xGuid = false; // not a Dovecot: names it is
            return loadFolders(p);
        }
        p.handleResult(result);
        List<ListInfo> infos = new ArrayList<>();
        Map<String, String> ids = new LinkedHashMap<>();
        for (Response response : r) {
            if (!(response instanceof IMAPResponse ir) || !ir.isUnTagged()) {
                continue;
            }
            if (ir.keyEquals("LIST")) {
                infos.add(new ListInfo(ir));
            } else if (ir.keyEquals("STATUS")) {
                String name = BASE64MailboxDecoder.decode(ir.readAtomString());
                Matcher m = MAILBOXID.matcher(ir.toString());
                if (m.find()) {
                    ids.put(name, m.group(1));
                }
            }
        }
        char separator = '/';
        for (ListInfo info : infos) {
            if (info.separator != '\0') {
                separator = info.separator;
                break;
            }
        }
        return FolderList.of(infos, ids, separator);
    }

    private static void checkName(String name, char separator) {
        if (name.isBlank() || name.indexOf(separator) >= 0 || name.chars().anyMatch(c -> c < 0x20)
                || name.contains("*") || name.contains("%")) {
            throw new MailStoreException(Kind.INVALID, "not a valid folder name: '" + name + "'");
        }
    }

    // ---- encoding -------------------------------------------------------------------------------------------------

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

    private static boolean sameEpoch(long modSeq, long uidValidity) {
        return epochOf(modSeq) == epochTag(uidValidity);
    }

    static String itemId(String folderId, long uidValidity, long uid) {
        return folderId + ":" + uidValidity + ":" + uid;
    }

    private static Instant instant(INTERNALDATE date) {
        return date == null || date.getDate() == null ? Instant.EPOCH : date.getDate().toInstant();
    }

    static Flags toFlags(EmailFlags flags) {
        Flags f = new Flags();
        if (flags.read()) {
            f.add(Flags.Flag.SEEN);
        }
        if (flags.flagStatus() == 2) {
            f.add(Flags.Flag.FLAGGED);
        } else if (flags.flagStatus() == 1) {
            f.add(KEYWORD_COMPLETE);
        }
        switch (flags.lastVerb()) {
            case 1 -> f.add(Flags.Flag.ANSWERED);
            case 2 -> {
                f.add(Flags.Flag.ANSWERED);
                f.add(KEYWORD_REPLY_ALL);
            }
            case 3 -> f.add(KEYWORD_FORWARDED);
            default -> { }
        }
        for (String category : flags.categories()) {
            f.add(keyword(category));
        }
        return f;
    }

    static EmailFlags fromFlags(Flags f) {
        int flagStatus = f.contains(Flags.Flag.FLAGGED) ? 2 : f.contains(KEYWORD_COMPLETE) ? 1 : 0;
        int verb = f.contains(KEYWORD_FORWARDED) ? 3 : f.contains(Flags.Flag.ANSWERED)
                ? (f.contains(KEYWORD_REPLY_ALL) ? 2 : 1) : 0;
        List<String> categories = new ArrayList<>();
        for (String keyword : f.getUserFlags()) {
            if (!keyword.startsWith("$")) {
                categories.add(keyword);
            }
        }
        return new EmailFlags(f.contains(Flags.Flag.SEEN), flagStatus, verb, null, categories);
    }

    /** An IMAP keyword (an atom) for a category: characters an atom cannot hold become '_'. */
    static String keyword(String category) {
        StringBuilder atom = new StringBuilder();
        for (char c : category.toCharArray()) {
            boolean special = c <= 0x20 || c >= 0x7f || "(){%*\"\\]".indexOf(c) >= 0;
            atom.append(special ? '_' : c);
        }
        String value = atom.toString();
        return value.startsWith("$") || value.startsWith("\\") ? "_" + value.substring(1) : value;
    }

    private static String flagList(Flags flags) {
        StringBuilder list = new StringBuilder("(");
        for (Flags.Flag flag : flags.getSystemFlags()) {
            if (flag == Flags.Flag.SEEN) {
                list.append("\\Seen ");
            } else if (flag == Flags.Flag.FLAGGED) {
                list.append("\\Flagged ");
            } else if (flag == Flags.Flag.ANSWERED) {
                list.append("\\Answered ");
            }
        }
        for (String keyword : flags.getUserFlags()) {
            list.append(keyword).append(' ');
        }
        if (list.length() > 1) {
            list.setLength(list.length() - 1);
        }
        return list.append(')').toString();
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

    private static MailStoreException notFound(String itemId) {
        return new MailStoreException(Kind.NOT_FOUND, "no item " + itemId);
    }

    /** A command whose NO answer is one of the SPI's refusals. */
    @FunctionalInterface
    private interface ImapCall<T> {
        T run() throws ProtocolException;
    }

    private static <T> T failureKinds(ImapCall<T> call) throws ProtocolException {
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

    private interface VoidCall {
        void run() throws ProtocolException;
    }

    private static void failureKinds(VoidCall call) throws ProtocolException {
        failureKinds(() -> {
            call.run();
            return null;
        });
    }

    private <T> Mono<T> call(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(scheduler);
    }

    // ---- values ---------------------------------------------------------------------------------------------------

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

    /** A listed IMAP folder. */
    record Entry(String id, String imapName, Folder folder, boolean special) {
    }

    /** A user's folders as one LIST saw them. */
    record FolderList(List<Entry> entries, char separator, long loadedAt) {

        static FolderList of(List<ListInfo> infos, Map<String, String> objectIds, char separator) {
            TreeMap<String, ListInfo> byName = new TreeMap<>((a, b) -> {
                boolean ai = a.equalsIgnoreCase("INBOX");
                boolean bi = b.equalsIgnoreCase("INBOX");
                if (ai != bi) {
                    return ai ? -1 : 1;
                }
                return a.compareTo(b);
            });
            for (ListInfo info : infos) {
                List<String> attrs = List.of(info.attrs == null ? new String[0] : info.attrs);
                boolean selectable = info.canOpen && attrs.stream().noneMatch(a -> a.equalsIgnoreCase("\\NonExistent")
                        || a.equalsIgnoreCase("\\Noselect"));
                if (selectable) {
                    byName.put(info.name, info);
                }
            }
            Map<String, Entry> entries = new LinkedHashMap<>();
            java.util.Set<FolderType> taken = java.util.EnumSet.noneOf(FolderType.class);
            // special-use attributes first, names second: one folder per special type
            Map<String, FolderType> types = new LinkedHashMap<>();
            for (ListInfo info : byName.values()) {
                FolderType type = specialUse(info);
                if (type != null && taken.add(type)) {
                    types.put(info.name, type);
                }
            }
            for (ListInfo info : byName.values()) {
                if (!types.containsKey(info.name)) {
                    FolderType type = byWellKnownName(info.name);
                    if (type != null && taken.add(type)) {
                        types.put(info.name, type);
                    }
                }
            }
            for (ListInfo info : byName.values()) {
                String name = info.name;
                String objectId = objectIds.get(name);
                String id = objectId != null && OBJECT_ID.matcher(objectId).matches() ? objectId : hashId(
                        objectId != null ? objectId : name);
                String parentId = Folder.ROOT;
                int cut = name.lastIndexOf(separator);
                while (cut > 0) {
                    Entry parent = entries.get(name.substring(0, cut));
                    if (parent != null) {
                        parentId = parent.id();
                        break;
                    }
                    cut = name.lastIndexOf(separator, cut - 1);
                }
                String display = cut > 0 || name.lastIndexOf(separator) > 0
                        ? name.substring(name.lastIndexOf(separator) + 1) : name;
                FolderType type = types.getOrDefault(name, FolderType.USER_MAIL);
                boolean special = type != FolderType.USER_MAIL || hasSpecialUse(info);
                entries.put(name, new Entry(id, name, new Folder(id, parentId,
                        type == FolderType.INBOX ? "Inbox" : display, type), special));
            }
            return new FolderList(List.copyOf(entries.values()), separator, System.nanoTime());
        }

        List<Folder> folders() {
            return entries.stream().map(Entry::folder).toList();
        }

        Optional<Entry> byId(String id) {
            return entries.stream().filter(e -> e.id().equals(id)).findFirst();
        }

        Optional<Entry> byName(String name) {
            return entries.stream().filter(e -> e.imapName().equals(name)
                    || (name.equalsIgnoreCase("INBOX") && e.imapName().equalsIgnoreCase("INBOX"))).findFirst();
        }

        Entry require(String id) {
            return byId(id).orElseThrow(() -> new MailStoreException(Kind.NOT_FOUND, "no folder " + id));
        }

        List<Entry> descendants(Entry parent) {
            String prefix = parent.imapName() + separator;
            return entries.stream().filter(e -> e.imapName().startsWith(prefix)).toList();
        }

        private static FolderType specialUse(ListInfo info) {
            if (info.name.equalsIgnoreCase("INBOX")) {
                return FolderType.INBOX;
            }
            for (String attr : info.attrs == null ? new String[0] : info.attrs) {
                switch (attr.toLowerCase(Locale.ROOT)) {
                    case "\\drafts" -> {
                        return FolderType.DRAFTS;
                    }
                    case "\\sent" -> {
                        return FolderType.SENT_ITEMS;
                    }
                    case "\\trash" -> {
                        return FolderType.DELETED_ITEMS;
                    }
                    default -> { }
                }
            }
            return null;
        }

        private static boolean hasSpecialUse(ListInfo info) {
            for (String attr : info.attrs == null ? new String[0] : info.attrs) {
                String a = attr.toLowerCase(Locale.ROOT);
                if (a.equals("\\junk") || a.equals("\\archive") || a.equals("\\drafts") || a.equals("\\sent")
                        || a.equals("\\trash") || a.equals("\\all") || a.equals("\\flagged")) {
                    return true;
                }
            }
            return false;
        }

        private static FolderType byWellKnownName(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "drafts" -> FolderType.DRAFTS;
                case "sent", "sent items", "sent messages", "sent mail" -> FolderType.SENT_ITEMS;
                case "trash", "deleted items", "deleted messages" -> FolderType.DELETED_ITEMS;
                default -> null;
            };
        }

        private static String hashId(String text) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
                return "h" + HexFormat.of().formatHex(digest, 0, 12);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
