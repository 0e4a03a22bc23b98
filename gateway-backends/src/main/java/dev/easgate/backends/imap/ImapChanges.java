package dev.easgate.backends.imap;

import static dev.easgate.backends.imap.ImapCommands.send;
import static dev.easgate.backends.imap.ImapIds.MODSEQ_MASK;
import static dev.easgate.backends.imap.ImapIds.encode;
import static dev.easgate.backends.imap.ImapIds.itemId;
import static dev.easgate.backends.imap.ImapIds.sameEpoch;
import static dev.easgate.backends.imap.ImapIds.version;

import dev.easgate.backends.imap.FolderList.Entry;
import dev.easgate.backends.imap.ImapMailStore.Polled;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.MODSEQ;
import org.eclipse.angus.mail.imap.protocol.Status;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.eclipse.angus.mail.imap.protocol.UIDSet;

/**
 * Change tracking with CONDSTORE/QRESYNC (RFC 7162): {@link #since} asks the server only for what changed
 * ({@code UID FETCH 1:* (...) (CHANGEDSINCE m VANISHED)}); a sequence from before a UIDVALIDITY change (see
 * {@link ImapIds}) is answered with {@link FolderChanges#resetRequired()} and the whole folder. Also the fallback
 * watcher's polls ({@code STATUS (UIDVALIDITY HIGHESTMODSEQ)}) and their per-user watermarks, and the parked checks
 * that reuse an answer while the folder's {@link Fingerprint} stands still ({@link #parkedSince}). Blocking: the
 * facade runs it on its scheduler.
 */
final class ImapChanges {
    private static final String[] FINGERPRINT = {"UIDVALIDITY", "HIGHESTMODSEQ"};
    /** The most item versions and vanished ids an answer may hold to be kept for the next parked check (memory). */
    static final int KEPT_ANSWER_MAX = 16;

    private final ImapConnections connections;
    private final ImapFolders folders;
    /**
     * For the fallback watcher, when on: the folder's fingerprint by user and folder id from the first look after
     * the user parked (the park's own store check) or from the watcher's last poll.
     */
    private final Map<String, Map<String, Fingerprint>> watermarks = new ConcurrentHashMap<>();
    private volatile boolean keepWatermarks;
    /** By user: the last small answer per folder, and the user's writes through this store. */
    private final Map<String, Answers> answers = new ConcurrentHashMap<>();
    /** By user: writes through this store in progress, and when the last one ended (System.nanoTime). */
    private final Map<String, Writes> writes = new ConcurrentHashMap<>();
    /** By user: the writes through this node the watcher has not yet weighed ({@link #foreign}). */
    private final Map<String, OwnWrites> ownWrites = new ConcurrentHashMap<>();
    private final LongAdder statusCommands = new LongAdder();
    private final LongAdder parkedChecks = new LongAdder();
    private final LongAdder fingerprintLooks = new LongAdder();
    private final LongAdder keptAnswers = new LongAdder();

    /**
     * A folder's state as far as change tracking goes: under RFC 7162 every new message and metadata change gets a
     * new mod-sequence, and a server with QRESYNC reports expunges by mod-sequence too (VANISHED), so HIGHESTMODSEQ
     * moves with each of them; a recreated mailbox has another UIDVALIDITY.
     */
    record Fingerprint(long uidValidity, long highestModSeq) {
    }

    /** An answer of {@link #since} and the folder's fingerprint and the user's write count it was computed at. */
    private record Answer(long modSeq, Fingerprint at, long writes, FolderChanges changes) {
    }

    /**
     * A user's kept answers by folder id (the one asked for, and the one a device caught up by it will ask for
     * next); {@code writes} counts the user's writes through this store.
     */
    private static final class Answers {
        final Map<String, List<Answer>> byFolder = new ConcurrentHashMap<>();
        final AtomicLong writes = new AtomicLong();

        Answer find(String folderId, long modSeq) {
            for (Answer answer : byFolder.getOrDefault(folderId, List.of())) {
                if (answer.modSeq() == modSeq && answer.writes() == writes.get()) {
                    return answer;
                }
            }
            return null;
        }
    }

    ImapChanges(ImapConnections connections, ImapFolders folders) {
        this.connections = connections;
        this.folders = folders;
    }

    FolderChanges since(String user, String folderId, long modSeq) {
        Entry entry = folders.require(user, folderId);
        Answers kept = answers.computeIfAbsent(user, u -> new Answers());
        long writes = kept.writes.get(); // before the look: a write meanwhile makes the answer not worth keeping
        FolderChanges changes = connections.run(user, p -> {
            boolean qresync = p.hasCapability("QRESYNC");
            if (qresync && !p.isEnabled("QRESYNC")) {
                p.enable("QRESYNC");
            }
            // examined after QRESYNC is enabled, so that the mailbox reports HIGHESTMODSEQ
            return ImapCommands.inMailbox(p, entry.imapName(), false, (q, info) -> {
                long uidValidity = info.uidvalidity;
                long highest = info.highestmodseq;
                if (highest < 0) {
                    throw new MailStoreException(Kind.UNAVAILABLE, "the IMAP server lacks CONDSTORE");
                }
                Fingerprint at = new Fingerprint(uidValidity, highest);
                baseline(user, folderId, at);
                long encodedHighest = encode(uidValidity, highest);
                boolean reset = modSeq != 0 && (!sameEpoch(modSeq, uidValidity) || modSeq > encodedHighest
                        || !qresync);
                List<ItemVersion> changed = new ArrayList<>();
                List<String> vanished = new ArrayList<>();
                String command;
                if (modSeq == 0 || reset) {
                    command = info.total == 0 ? null : "UID FETCH 1:* (UID INTERNALDATE MODSEQ)";
                } else {
                    command = "UID FETCH 1:* (UID INTERNALDATE MODSEQ) (CHANGEDSINCE " + (modSeq & MODSEQ_MASK)
                            + " VANISHED)";
                }
                if (command != null) {
                    for (Response r : send(q, command, null)) {
                        if (r instanceof FetchResponse f) {
                            ItemVersion version = version(f, folderId, uidValidity);
                            if (version != null) {
                                changed.add(version);
                            }
                        } else if (r instanceof IMAPResponse ir && ir.isUnTagged() && ir.keyEquals("VANISHED")) {
                            vanished.addAll(vanishedIds(ir, folderId, uidValidity, info.uidnext));
                        }
                    }
                }
                changed.sort(Comparator.comparingLong(ItemVersion::modSeq));
                FolderChanges answer = new FolderChanges(encodedHighest, changed, vanished, reset);
                keep(kept, folderId, new Answer(modSeq, at, writes, answer), qresync);
                return answer;
            });
        });
        return changes;
    }

    /**
     * {@link #since} for a parked request's check (the hub listens to the user's changes, and the watcher polls the
     * user, before it asks): the answer kept from the last look with the same {@code modSeq}, when no write of the
     * user went through this store since and the folder's fingerprint has not moved: by the watcher's last
     * observation (any later change is published by its next poll, which wakes the request), else by one
     * {@code STATUS (UIDVALIDITY HIGHESTMODSEQ)} on a connection of the user already open, else, when the watcher
     * has not observed the folder yet, by making the kept answer's fingerprint the watcher's baseline (its first
     * poll publishes any change since). Otherwise the full look. So a Ping that parks again with nothing new costs
     * no login; a change made while the device was not parked wakes it within one poll of the user.
     */
    FolderChanges parkedSince(String user, String folderId, long modSeq) {
        parkedChecks.increment();
        Answers kept = answers.get(user);
        Answer last = kept == null ? null : kept.find(folderId, modSeq);
        if (last != null) {
            Map<String, Fingerprint> seen = watermarks.get(user);
            Fingerprint observed = seen == null ? null : seen.get(folderId);
            if (last.at().equals(observed)) {
                keptAnswers.increment();
                return last.changes();
            }
            Optional<Fingerprint> now = pooledStatus(user, folderId);
            if (now.isPresent() && now.get().equals(last.at())) {
                baseline(user, folderId, now.get());
                keptAnswers.increment();
                return last.changes();
            }
            // no observation yet and no open connection: the kept answer's fingerprint becomes the watcher's
            // baseline (atomically, unless a poll was first), so a change since it is published by the first poll
            if (now.isEmpty() && observed == null && keepWatermarks) {
                Fingerprint first = watermarks.computeIfAbsent(user, u -> new ConcurrentHashMap<>())
                        .putIfAbsent(folderId, last.at());
                if (first == null || first.equals(last.at())) {
                    keptAnswers.increment();
                    return last.changes();
                }
            }
        }
        try {
            return since(user, folderId, modSeq);
        } catch (MailStoreException e) {
            // the Ping took the folder from a list of any age: gone meanwhile is NOT_FOUND, as with a fresh list
            folders.forget(user);
            folders.require(user, folderId);
            throw e;
        }
    }

    /** The folder's fingerprint by a STATUS on a connection of the user open now, if there is one. */
    private Optional<Fingerprint> pooledStatus(String user, String folderId) {
        Optional<Entry> entry = folders.anyAge(user).byId(folderId);
        try {
            return entry.flatMap(e -> connections.runIfPooled(user, p -> {
                fingerprintLooks.increment();
                return fingerprint(p.status(e.imapName(), FINGERPRINT));
            }));
        } catch (MailStoreException refused) {
            return Optional.empty(); // renamed or deleted meanwhile: the full look tells
        }
    }

    /**
     * Keeps a small answer, and with QRESYNC also the answer for its highest sequence, which is what a device that
     * took all of it asks next: nothing changed, nothing vanished (RFC 7162: CHANGEDSINCE the mailbox's
     * HIGHESTMODSEQ matches no message, and VANISHED (EARLIER) names no UID expunged after it).
     */
    private static void keep(Answers kept, String folderId, Answer answer, boolean qresync) {
        FolderChanges changes = answer.changes();
        if (changes.changed().size() + changes.vanished().size() > KEPT_ANSWER_MAX) {
            kept.byFolder.remove(folderId);
            return;
        }
        long highest = changes.highestModSeq();
        if (!qresync || answer.modSeq() == highest) {
            kept.byFolder.put(folderId, List.of(answer));
            return;
        }
        Answer caughtUp = new Answer(highest, answer.at(), answer.writes(),
                new FolderChanges(highest, List.of(), List.of(), false));
        kept.byFolder.put(folderId, List.of(answer, caughtUp));
    }

    /** A write of the user through this store begins. */
    void writing(String user) {
        writes.computeIfAbsent(user, u -> new Writes()).inFlight.incrementAndGet();
    }

    /** A write of the user went through this store: the answers kept for the user are not reused. */
    void wrote(String user) {
        Answers kept = answers.get(user);
        if (kept != null) {
            kept.writes.incrementAndGet();
        }
        Writes clock = writes.get(user);
        if (clock != null) {
            clock.lastEnd = System.nanoTime();
            clock.inFlight.decrementAndGet();
        }
    }

    /**
     * How long a change the watcher saw should wait before it is published: while a write of the user through this
     * store is in progress, or until {@code settle} after the last one ended. The writer's request records what it
     * wrote in its device's state only after the store answered; an event that overtook that (IDLE sees a write at
     * once) would make the writer's own parked Ping count its own write as new.
     */
    Duration untilWritesSettle(String user, Duration settle) {
        Writes clock = writes.get(user);
        if (clock == null) {
            return Duration.ZERO;
        }
        if (clock.inFlight.get() > 0) {
            return settle;
        }
        long left = settle.toNanos() - (System.nanoTime() - clock.lastEnd);
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    private static final class Writes {
        final AtomicInteger inFlight = new AtomicInteger();
        volatile long lastEnd;
    }

    /**
     * The watcher's baseline of a folder when it has none: only the first look after the user parked; later Syncs
     * of other devices must not hide a change from the watcher.
     */
    private void baseline(String user, String folderId, Fingerprint at) {
        if (keepWatermarks) {
            watermarks.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).putIfAbsent(folderId, at);
        }
    }

    /**
     * For the fallback watcher of servers that cannot push: one CONDSTORE {@code STATUS (UIDVALIDITY HIGHESTMODSEQ)}
     * per given folder of this store (ids of other stores are skipped), at most {@code maxFolders}; a folder whose
     * fingerprint moved since this node last saw it is {@link Polled#moved}, one seen for the first time is only
     * recorded, one that vanished meanwhile makes {@link Polled#hierarchy}. Turns the watermarks on.
     */
    Polled poll(String user, Collection<String> folderIds, int maxFolders) {
        keepWatermarks();
        // a folder list of any age: a poll must not cost a LIST; a renamed or deleted folder fails its STATUS
        FolderList list = folders.anyAge(user);
        List<Entry> asked = folderIds.stream().map(list::byId).flatMap(Optional::stream).limit(maxFolders)
                .toList();
        if (asked.isEmpty()) {
            return new Polled(0, List.of(), false);
        }
        Map<String, Fingerprint> seen = watermarks.computeIfAbsent(user, u -> new ConcurrentHashMap<>());
        return connections.run(user, p -> {
            List<String> moved = new ArrayList<>();
            boolean hierarchy = false;
            for (Entry entry : asked) {
                try {
                    statusCommands.increment();
                    Fingerprint now = fingerprint(p.status(entry.imapName(), FINGERPRINT));
                    Fingerprint before = seen.put(entry.id(), now);
                    if (before != null && !before.equals(now)) {
                        moved.add(entry.id());
                    }
                } catch (CommandFailedException gone) {
                    folders.forget(user); // renamed or deleted meanwhile: the next look lists anew
                    seen.remove(entry.id());
                    hierarchy = true;
                }
            }
            return new Polled(asked.size(), moved, hierarchy);
        });
    }

    /**
     * The watched folder a held connection of the user IDLEs in (RFC 2177 watches the selected mailbox only): the
     * Inbox when it is among them, where new mail lands and what matters most for a phone, else the first of them in
     * the folder list; none when the folder list is not cached (the first poll lists).
     */
    Optional<String> idleMailbox(String user, Collection<String> folderIds) {
        Optional<FolderList> list = folders.cached(user);
        if (list.isEmpty()) {
            return Optional.empty();
        }
        Optional<Entry> inbox = list.get().byName("INBOX").filter(e -> folderIds.contains(e.id()));
        if (inbox.isPresent()) {
            return Optional.of(inbox.get().imapName());
        }
        return list.get().entries().stream().filter(e -> folderIds.contains(e.id())).map(Entry::imapName)
                .findFirst();
    }

    /**
     * What EXAMINE saw of a mailbox before an IDLE (re)started in it, taken as a poll's STATUS would be: the
     * folder's id when its fingerprint moved since this node last saw it, empty otherwise (also for a folder seen
     * for the first time, only recorded, and without CONDSTORE).
     */
    Optional<Moved> examined(String user, String mailbox, long uidValidity, long highestModSeq) {
        Optional<Entry> entry = folders.cached(user).flatMap(list -> list.byName(mailbox));
        if (entry.isEmpty() || highestModSeq < 0) {
            return Optional.empty();
        }
        keepWatermarks();
        Fingerprint now = new Fingerprint(uidValidity, highestModSeq);
        Fingerprint before = watermarks.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).put(entry.get().id(),
                now);
        return before != null && !before.equals(now) ? Optional.of(new Moved(entry.get().id(), before, now))
                : Optional.empty();
    }

    /** A folder whose fingerprint moved from {@code before} to {@code now}. */
    record Moved(String folderId, Fingerprint before, Fingerprint now) {
    }

    /**
     * Whether anything but this node's own recorded writes of the user ({@link #recordOwn}) changed the folder
     * between the two fingerprints: true at once when none is recorded for it (no command), else one
     * {@code UID FETCH 1:* (UID MODSEQ) (CHANGEDSINCE m VANISHED)} (RFC 7162 3.1.4, 3.2.6) whose every message must
     * carry the MODSEQ an own write gave it, every vanished UID an own delete or move. The records up to
     * {@code now} are dropped either way. A device's own write is then nothing to wake its parked Ping for.
     */
    boolean foreign(String user, Moved moved) {
        OwnWrites own = ownWrites.get(user);
        Map<Long, Long> changed = own == null ? null : own.changed.remove(moved.folderId());
        Set<Long> gone = own == null ? null : own.vanished.remove(moved.folderId());
        if ((changed == null || changed.isEmpty()) && (gone == null || gone.isEmpty())) {
            return true;
        }
        if (moved.before().uidValidity() != moved.now().uidValidity()) {
            return true;
        }
        Optional<Entry> entry = folders.cached(user).flatMap(list -> list.byId(moved.folderId()));
        if (entry.isEmpty()) {
            return true;
        }
        Map<Long, Long> mine = changed == null ? Map.of() : changed;
        Set<Long> mineGone = gone == null ? Set.of() : gone;
        return connections.run(user, p -> {
            if (!p.hasCapability("QRESYNC")) {
                return true;
            }
            if (!p.isEnabled("QRESYNC")) {
                p.enable("QRESYNC");
            }
            return ImapCommands.inMailbox(p, entry.get().imapName(), false, (q, info) -> {
                if (info.uidvalidity != moved.now().uidValidity()) {
                    return true;
                }
                for (Response r : send(q, "UID FETCH 1:* (UID MODSEQ) (CHANGEDSINCE "
                        + moved.before().highestModSeq() + " VANISHED)", null)) {
                    if (r instanceof FetchResponse f) {
                        UID uid = f.getItem(UID.class);
                        MODSEQ ms = f.getItem(MODSEQ.class);
                        if (uid == null || ms == null || !Long.valueOf(ms.modseq).equals(mine.get(uid.uid))) {
                            return true;
                        }
                    } else if (r instanceof IMAPResponse ir && ir.isUnTagged() && ir.keyEquals("VANISHED")) {
                        String rest = ir.getRest().strip();
                        if (rest.startsWith("(EARLIER)")) {
                            rest = rest.substring("(EARLIER)".length()).strip();
                        }
                        for (UIDSet set : UIDSet.parseUIDSets(rest)) {
                            for (long uid = set.start; uid <= set.end; uid++) {
                                if (!mineGone.contains(uid)) {
                                    return true;
                                }
                            }
                        }
                    }
                }
                return false;
            });
        });
    }

    /**
     * Records a write of the user through this node: the message {@code itemId} now carries {@code modSeq} (as
     * handed out, {@link ImapIds#encode}), or is gone ({@code modSeq} negative). At most {@link #OWN_MAX} per
     * folder (beyond that the folder's changes count as foreign).
     */
    void recordOwn(String user, String folderId, String itemId, long modSeq) {
        Optional<ImapIds.ItemRef> ref = ImapIds.ItemRef.parse(itemId, folderId);
        if (ref.isEmpty()) {
            return;
        }
        OwnWrites own = ownWrites.computeIfAbsent(user, u -> new OwnWrites());
        if (modSeq < 0) {
            Set<Long> gone = own.vanished.computeIfAbsent(folderId, f -> ConcurrentHashMap.newKeySet());
            if (gone.size() < OWN_MAX) {
                gone.add(ref.get().uid());
            } else {
                own.vanished.put(folderId, Set.of(-1L)); // too many: not explainable
            }
        } else {
            Map<Long, Long> changed = own.changed.computeIfAbsent(folderId, f -> new ConcurrentHashMap<>());
            if (changed.size() < OWN_MAX) {
                changed.put(ref.get().uid(), modSeq & MODSEQ_MASK);
            } else {
                changed.put(-1L, -1L);
            }
        }
    }

    static final int OWN_MAX = 256;

    private static final class OwnWrites {
        final Map<String, Map<Long, Long>> changed = new ConcurrentHashMap<>();
        final Map<String, Set<Long>> vanished = new ConcurrentHashMap<>();
    }

    /** The given folder ids without the one a connection of the user is in IDLE in now (it needs no STATUS). */
    Collection<String> notIdled(String user, Collection<String> folderIds) {
        Optional<String> mailbox = connections.idlingIn(user);
        if (mailbox.isEmpty()) {
            return folderIds;
        }
        Optional<String> idled = folders.cached(user).flatMap(list -> list.byName(mailbox.get())).map(Entry::id);
        return idled.isEmpty() ? folderIds : folderIds.stream().filter(id -> !id.equals(idled.get())).toList();
    }

    /** From now on the first look at a folder after a user parks records its watermark (the watcher calls it). */
    void keepWatermarks() {
        keepWatermarks = true;
    }

    /** Drops the watermarks of users no longer watched (they are taken anew when the user parks again). */
    void retainWatermarks(Predicate<String> watched) {
        watermarks.keySet().removeIf(user -> !watched.test(user));
        writes.entrySet().removeIf(e -> !watched.test(e.getKey()) && e.getValue().inFlight.get() <= 0);
        ownWrites.keySet().removeIf(user -> !watched.test(user));
    }

    /** STATUS commands the fallback polls sent. */
    long statusCommands() {
        return statusCommands.sum();
    }

    /** STATUS commands the parked checks sent for a fingerprint on an open connection. */
    long fingerprintLooks() {
        return fingerprintLooks.sum();
    }

    /** Parked checks so far, and how many of them were answered from a kept answer. */
    long parkedChecks() {
        return parkedChecks.sum();
    }

    long keptAnswers() {
        return keptAnswers.sum();
    }

    private static Fingerprint fingerprint(Status status) {
        return new Fingerprint(status.uidvalidity, status.highestmodseq);
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
}
