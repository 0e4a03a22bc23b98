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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.UIDSet;

/**
 * Change tracking with CONDSTORE/QRESYNC (RFC 7162): {@link #since} asks the server only for what changed
 * ({@code UID FETCH 1:* (...) (CHANGEDSINCE m VANISHED)}); a sequence from before a UIDVALIDITY change (see
 * {@link ImapIds}) is answered with {@link FolderChanges#resetRequired()} and the whole folder. Also the fallback
 * watcher's polls ({@code STATUS (HIGHESTMODSEQ)}) and their per-user watermarks. Blocking: the facade runs it on
 * its scheduler.
 */
final class ImapChanges {
    private final ImapConnections connections;
    private final ImapFolders folders;
    /**
     * For the fallback watcher, when on: the IMAP HIGHESTMODSEQ by user and folder id from the first look after the
     * user parked (the park's own store check, {@link #since}) or from the watcher's last poll.
     */
    private final Map<String, Map<String, Long>> watermarks = new ConcurrentHashMap<>();
    private volatile boolean keepWatermarks;
    private final LongAdder statusCommands = new LongAdder();

    ImapChanges(ImapConnections connections, ImapFolders folders) {
        this.connections = connections;
        this.folders = folders;
    }

    FolderChanges since(String user, String folderId, long modSeq) {
        Entry entry = folders.require(user, folderId);
        return connections.run(user, p -> {
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
                if (keepWatermarks) {
                    // only the first look: later Syncs of other devices must not hide a change from the watcher
                    watermarks.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).putIfAbsent(folderId, highest);
                }
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
                return new FolderChanges(encodedHighest, changed, vanished, reset);
            });
        });
    }

    /**
     * For the fallback watcher of servers that cannot push: one CONDSTORE {@code STATUS (HIGHESTMODSEQ)} per given
     * folder of this store (ids of other stores are skipped), at most {@code maxFolders}; a folder whose
     * HIGHESTMODSEQ moved since this node last saw it is {@link Polled#moved}, one seen for the first time is only
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
                    folders.forget(user); // renamed or deleted meanwhile: the next look lists anew
                    seen.remove(entry.id());
                    hierarchy = true;
                }
            }
            return new Polled(asked.size(), moved, hierarchy);
        });
    }

    /** From now on the first look at a folder after a user parks records its watermark (the watcher calls it). */
    void keepWatermarks() {
        keepWatermarks = true;
    }

    /** Drops the watermarks of users no longer watched (they are taken anew when the user parks again). */
    void retainWatermarks(Predicate<String> watched) {
        watermarks.keySet().removeIf(user -> !watched.test(user));
    }

    /** STATUS commands the fallback polls sent. */
    long statusCommands() {
        return statusCommands.sum();
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
