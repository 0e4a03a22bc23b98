package dev.easgate.backends.memory;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import dev.easgate.backends.mail.MailboxChange;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link MailStore} held in memory: every user's folders and items live in this object and are lost with it.
 *
 * <p>Each user's store is created on first access and filled by a {@link MailboxSeeder}. Calls on one user's store
 * are serialized by a lock held for a few map operations; calls for different users do not contend. Every method
 * does its work synchronously when subscribed, on the subscriber's thread, and completes at once: no scheduler,
 * nothing blocks, so Netty event loops may call it. Like any publisher, nothing happens until subscription.
 *
 * <p>Ids: folders {@code f1}, {@code f2} ... and items {@code <folderId>:<n>}; never reused within a user's store.
 * Every add, change, removal and move bumps the folder's modification sequence; removals leave tombstones so that
 * {@link #changesSince} can report them. At most {@code tombstoneLimit} tombstones are kept per folder; a caller
 * asking from before the oldest pruned one gets {@link FolderChanges#resetRequired()} with every item listed.
 *
 * <p>A store is born empty and seeded anew each time (a gateway restart), while devices keep their sync state on
 * disk: ids repeat ({@code f1:1} again) but name other items. So that a device's old watermark is never taken as a
 * point of this store's history, sequences start at the store's birth in microseconds since the epoch (always past
 * every sequence an earlier store handed out, short of more than one write per microsecond or a clock stepped
 * back): a caller asking from a sequence this store never issued, below its start or above its highest, gets
 * {@code resetRequired} and compares the whole folder; a known id now naming another item has a higher sequence
 * than the device holds and is sent again as a Change, one it no longer has is deleted, nothing is doubled.
 *
 * <p>Idle users cost little: the folders the seeder makes are, until a write touches them, one shared unchanging
 * copy for all users (a user's own copy is made on the first write), and an empty folder holds no maps.
 *
 * <p>After each write the optional listener learns which folder changed ({@link MailboxChange}); it is called after
 * the lock is released, on the writer's thread, possibly out of order with concurrent writes of other threads.
 */
public final class MemoryMailStore implements MailStore {
    /** Tombstones kept per folder unless told otherwise. */
    public static final int DEFAULT_TOMBSTONE_LIMIT = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(MemoryMailStore.class);
    /** MS-ASCAL StartTime: Compact DateTime (MS-ASDTYPE 2.7.2). */
    private static final DateTimeFormatter COMPACT_DATE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    /** The ids of every user's first folders ({@code f1} to {@code f31}), one string each for all users. */
    private static final String[] FOLDER_IDS = new String[32];
    /** Most distinct seeded folders shared (a seeder that names folders after their user makes no two alike). */
    private static final int PRISTINE_FOLDERS_MAX = 1024;

    static {
        for (int i = 1; i < FOLDER_IDS.length; i++) {
            FOLDER_IDS[i] = ("f" + i).intern();
        }
    }

    private final ConcurrentHashMap<String, Mailbox> mailboxes = new ConcurrentHashMap<>();
    /** The seeded folders' shared untouched data, by folder (see {@link Mailbox#newSeededFolder}). */
    private final ConcurrentHashMap<Folder, FolderData> pristineFolders = new ConcurrentHashMap<>();
    private final Clock clock;
    private final MailboxSeeder seeder;
    private final Consumer<MailboxChange> listener;
    private final int tombstoneLimit;
    /** The first modification sequence of every folder of this store: its birth in microseconds. */
    private final long firstModSeq;

    /** A store whose users start with the standard folders and no items, and no listener. */
    public MemoryMailStore(Clock clock) {
        this(clock, MailboxSeeder.STANDARD_FOLDERS, change -> { }, DEFAULT_TOMBSTONE_LIMIT);
    }

    public MemoryMailStore(Clock clock, MailboxSeeder seeder, Consumer<MailboxChange> listener) {
        this(clock, seeder, listener, DEFAULT_TOMBSTONE_LIMIT);
    }

    public MemoryMailStore(Clock clock, MailboxSeeder seeder, Consumer<MailboxChange> listener, int tombstoneLimit) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.seeder = Objects.requireNonNull(seeder, "seeder");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (tombstoneLimit < 1) {
            throw new IllegalArgumentException("tombstone limit " + tombstoneLimit);
        }
        this.tombstoneLimit = tombstoneLimit;
        Instant born = clock.instant();
        this.firstModSeq = Math.max(0, Math.multiplyExact(born.getEpochSecond(), 1_000_000L) + born.getNano() / 1_000);
    }

    // ---- folders ------------------------------------------------------------------------------------------------

    @Override
    public Flux<Folder> folders(String user) {
        return read(user, Mailbox::folderTree).flatMapMany(Flux::fromIterable);
    }

    @Override
    public Mono<Folder> createFolder(String user, String parentId, String name, FolderType type) {
        return write(user, (mailbox, changes) -> {
            if (!type.userCreatable()) {
                // MS-ASCMD 2.2.3.186.3: FolderCreate makes only user-created folder types
                throw new MailStoreException(Kind.INVALID, "a folder of type " + type + " cannot be created");
            }
            checkName(name);
            mailbox.requireParent(parentId);
            mailbox.requireFreeName(parentId, name, null);
            Folder folder = mailbox.newFolder(parentId, name, type);
            changes.add(MailboxChange.hierarchy(user, folder.id()));
            return folder;
        });
    }

    @Override
    public Mono<Folder> updateFolder(String user, String folderId, String newParentId, String newName) {
        return write(user, (mailbox, changes) -> {
            FolderData data = mailbox.require(folderId);
            if (isSpecial(data.folder)) {
                throw new MailStoreException(Kind.NOT_ALLOWED, "special folder " + folderId + " cannot be changed");
            }
            checkName(newName);
            mailbox.requireParent(newParentId);
            if (mailbox.subtree(folderId).contains(newParentId)) {
                throw new MailStoreException(Kind.INVALID, "folder " + folderId + " cannot move below itself");
            }
            mailbox.requireFreeName(newParentId, newName, folderId);
            Folder renamed = new Folder(folderId, newParentId, newName, data.folder.type());
            mailbox.writable(folderId).rename(renamed);
            changes.add(MailboxChange.hierarchy(user, folderId));
            return renamed;
        });
    }

    @Override
    public Mono<Void> deleteFolder(String user, String folderId) {
        return write(user, (mailbox, changes) -> {
            mailbox.require(folderId);
            List<String> subtree = mailbox.subtree(folderId);
            for (String id : subtree) {
                if (isSpecial(mailbox.folders.get(id).folder)) {
                    throw new MailStoreException(Kind.NOT_ALLOWED, "special folder " + id + " cannot be deleted");
                }
            }
            for (String id : subtree) {
                mailbox.folders.remove(id);
                changes.add(MailboxChange.hierarchy(user, id));
            }
            return null;
        });
    }

    @Override
    public Mono<Void> emptyFolder(String user, String folderId, boolean deleteSubfolders) {
        return write(user, (mailbox, changes) -> {
            if (!mailbox.require(folderId).items.isEmpty()) {
                FolderData data = mailbox.writable(folderId);
                long modSeq = data.nextModSeq();
                for (String id : List.copyOf(data.items.keySet())) {
                    data.remove(id, modSeq, tombstoneLimit);
                }
                changes.add(MailboxChange.items(user, folderId));
            }
            if (deleteSubfolders) {
                for (String childId : mailbox.childrenOf(folderId)) {
                    List<String> subtree = mailbox.subtree(childId);
                    boolean holdsSpecial = subtree.stream().anyMatch(id -> isSpecial(mailbox.folders.get(id).folder));
                    if (!holdsSpecial) {
                        for (String id : subtree) {
                            mailbox.folders.remove(id);
                            changes.add(MailboxChange.hierarchy(user, id));
                        }
                    }
                }
            }
            return null;
        });
    }

    // ---- items --------------------------------------------------------------------------------------------------

    @Override
    public Mono<FolderChanges> changesSince(String user, String folderId, long modSeq) {
        return read(user, mailbox -> mailbox.require(folderId).changesSince(modSeq));
    }

    @Override
    public Flux<Item> items(String user, String folderId, Collection<String> ids) {
        List<String> wanted = List.copyOf(ids);
        return read(user, mailbox -> {
            FolderData data = mailbox.require(folderId);
            List<Item> found = new ArrayList<>(wanted.size());
            for (String id : wanted) {
                Item item = data.items.get(id);
                if (item != null) {
                    found.add(item);
                }
            }
            return found;
        }).flatMapMany(Flux::fromIterable);
    }

    @Override
    public Mono<Item> item(String user, String folderId, String itemId) {
        return read(user, mailbox -> mailbox.require(folderId).items.get(itemId));
    }

    @Override
    public Mono<Item> add(String user, String folderId, ItemContent content) {
        return write(user, (mailbox, changes) -> {
            FolderData data = mailbox.writable(folderId);
            requireClass(data, content);
            Item item = data.add(content, dateOf(content, null));
            changes.add(MailboxChange.items(user, folderId));
            return item;
        });
    }

    @Override
    public Mono<Item> addOnce(String user, String folderId, String writeId, ItemContent content) {
        return write(user, (mailbox, changes) -> {
            FolderData data = mailbox.writable(folderId);
            requireClass(data, content);
            Item earlier = data.items.get(data.writes.getOrDefault(writeId, ""));
            if (earlier != null) {
                return earlier;
            }
            Item item = data.add(content, dateOf(content, null));
            data.rememberWrite(writeId, item.id());
            changes.add(MailboxChange.items(user, folderId));
            return item;
        });
    }

    /**
     * Delivers a message to the user's Inbox as an unread email received now (what an MTA would do).
     *
     * @throws MailStoreException NOT_FOUND (in the Mono) when the user's store has no Inbox
     */
    public Mono<Item> deliver(String user, byte[] mime) {
        ItemContent.Email email = new ItemContent.Email(mime.clone(), EmailFlags.UNREAD);
        return write(user, (mailbox, changes) -> {
            FolderData inbox = mailbox.folders.values().stream()
                    .filter(data -> data.folder.type() == FolderType.INBOX)
                    .findFirst()
                    .map(data -> mailbox.writable(data.folder.id()))
                    .orElseThrow(() -> new MailStoreException(Kind.NOT_FOUND, "no Inbox"));
            Item item = inbox.add(email, clock.instant());
            changes.add(MailboxChange.items(user, inbox.folder.id()));
            return item;
        });
    }

    @Override
    public Mono<Item> change(String user, String folderId, String itemId, ItemContent content) {
        return write(user, (mailbox, changes) -> {
            FolderData data = mailbox.writable(folderId);
            requireClass(data, content);
            Item current = data.items.get(itemId);
            if (current == null) {
                throw new MailStoreException(Kind.NOT_FOUND, "no item " + itemId + " in folder " + folderId);
            }
            ItemContent next = content instanceof ItemContent.Email email
                    // the MIME of a delivered message never changes; only its flags do (MS-ASEMAIL Read, Flag)
                    ? ((ItemContent.Email) current.content()).withFlags(email.flags())
                    : content;
            Item item = data.replace(current, next, dateOf(next, current.date()));
            changes.add(MailboxChange.items(user, folderId));
            return item;
        });
    }

    /** In place: the draft keeps its id (the phone's ServerId stays valid). */
    @Override
    public Mono<Item> replaceMessage(String user, String folderId, String itemId, ItemContent.Email content) {
        return write(user, (mailbox, changes) -> {
            FolderData data = mailbox.writable(folderId);
            requireClass(data, content);
            Item current = data.items.get(itemId);
            if (current == null) {
                throw new MailStoreException(Kind.NOT_FOUND, "no item " + itemId + " in folder " + folderId);
            }
            Item item = data.replace(current, content, current.date());
            changes.add(MailboxChange.items(user, folderId));
            return item;
        });
    }

    @Override
    public Mono<Void> delete(String user, String folderId, String itemId) {
        return write(user, (mailbox, changes) -> {
            if (mailbox.require(folderId).items.containsKey(itemId)) {
                FolderData data = mailbox.writable(folderId);
                data.remove(itemId, data.nextModSeq(), tombstoneLimit);
                changes.add(MailboxChange.items(user, folderId));
            }
            return null;
        });
    }

    @Override
    public Mono<Item> move(String user, String fromFolderId, String itemId, String toFolderId) {
        return write(user, (mailbox, changes) -> {
            FolderData source = mailbox.writable(fromFolderId);
            FolderData target = mailbox.writable(toFolderId);
            Item item = source.items.get(itemId);
            if (item == null) {
                throw new MailStoreException(Kind.NOT_FOUND, "no item " + itemId + " in folder " + fromFolderId);
            }
            if (source == target) {
                // MS-ASCMD 2.2.3.177.9 MoveItems Status 4: source and destination are the same
                throw new MailStoreException(Kind.INVALID, "item " + itemId + " is already in " + toFolderId);
            }
            requireClass(target, item.content());
            source.remove(itemId, source.nextModSeq(), tombstoneLimit);
            Item moved = target.add(item.content(), item.date());
            changes.add(MailboxChange.items(user, fromFolderId));
            changes.add(MailboxChange.items(user, toFolderId));
            return moved;
        });
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    private Mailbox mailbox(String user) {
        Mailbox existing = mailboxes.get(user);
        return existing != null ? existing : mailboxes.computeIfAbsent(user, this::newMailbox);
    }

    private Mailbox newMailbox(String user) {
        Mailbox mailbox = new Mailbox();
        seeder.seed(user, new MailboxSeeder.Target() {
            @Override
            public Folder folder(String parentId, String name, FolderType type) {
                mailbox.requireParent(parentId);
                mailbox.requireFreeName(parentId, name, null);
                return mailbox.newSeededFolder(parentId, name, type);
            }

            @Override
            public Item item(String folderId, ItemContent content, Instant date) {
                FolderData data = mailbox.writable(folderId);
                requireClass(data, content);
                return data.add(content, date);
            }
        });
        return mailbox;
    }

    private <T> Mono<T> read(String user, Function<Mailbox, T> operation) {
        return Mono.fromCallable(() -> {
            Mailbox mailbox = mailbox(user);
            synchronized (mailbox) {
                return operation.apply(mailbox);
            }
        });
    }

    /** A write whose operation lists the changes to publish once the lock is released. */
    private <T> Mono<T> write(String user, Write<T> operation) {
        return Mono.fromCallable(() -> {
            Mailbox mailbox = mailbox(user);
            List<MailboxChange> changes = new ArrayList<>(2);
            T result;
            synchronized (mailbox) {
                result = operation.apply(mailbox, changes);
            }
            publish(changes);
            return result;
        });
    }

    @FunctionalInterface
    private interface Write<T> {
        T apply(Mailbox mailbox, List<MailboxChange> changes);
    }

    private void publish(List<MailboxChange> changes) {
        for (MailboxChange change : changes) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("mailbox change listener failed on {}", change, e);
            }
        }
    }

    /**
     * The item date (see {@link Item#date()}): the start of an event, otherwise {@code previous} when the item
     * already had one, else now.
     */
    private Instant dateOf(ItemContent content, Instant previous) {
        if (content instanceof ItemContent.Pim pim && pim.itemClass() == ItemClass.CALENDAR) {
            String start = pim.applicationData().childText("Calendar:StartTime");
            if (start != null) {
                try {
                    return LocalDateTime.parse(start, COMPACT_DATE_TIME).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    // fall through: an unparseable start does not make the item unacceptable
                }
            }
        }
        return previous != null ? previous : clock.instant();
    }

    private static void requireClass(FolderData folder, ItemContent content) {
        if (content.itemClass() != folder.folder.itemClass()) {
            throw new MailStoreException(Kind.INVALID, content.itemClass().easName() + " item cannot go into "
                    + folder.folder.itemClass().easName() + " folder " + folder.folder.id());
        }
    }

    private static void checkName(String name) {
        if (name.isBlank()) {
            throw new MailStoreException(Kind.INVALID, "a folder name cannot be blank");
        }
    }

    /** The default folders (types 2 to 11 of MS-ASCMD 2.2.3.186.3) cannot be deleted, renamed or moved. */
    private static boolean isSpecial(Folder folder) {
        return !folder.type().userCreatable();
    }

    /** One user's store; every access holds its monitor. */
    private final class Mailbox {
        final Folders folders = new Folders();
        int lastFolderNumber;

        Folder newFolder(String parentId, String name, FolderType type) {
            Folder folder = new Folder(nextFolderId(), parentId, name, type);
            folders.add(new FolderData(folder, firstModSeq, false));
            return folder;
        }

        /**
         * A folder the seeder makes: the same for many users (same id, parent, name and type), so while it is
         * untouched every user holds one shared, unchanging {@link FolderData} and its folder.
         */
        Folder newSeededFolder(String parentId, String name, FolderType type) {
            Folder folder = new Folder(nextFolderId(), parentId, name, type);
            FolderData shared = pristineFolders.get(folder);
            if (shared == null) {
                shared = new FolderData(folder, firstModSeq, true);
                if (pristineFolders.size() < PRISTINE_FOLDERS_MAX) {
                    FolderData earlier = pristineFolders.putIfAbsent(folder, shared);
                    shared = earlier != null ? earlier : shared;
                }
            }
            folders.add(shared);
            return shared.folder;
        }

        private String nextFolderId() {
            int number = ++lastFolderNumber;
            return number < FOLDER_IDS.length ? FOLDER_IDS[number] : "f" + number;
        }

        /** The folder's data to change: a shared untouched one is replaced by the user's own copy first. */
        FolderData writable(String folderId) {
            FolderData data = require(folderId);
            if (!data.shared) {
                return data;
            }
            FolderData own = new FolderData(data.folder, firstModSeq, false);
            folders.replace(data, own);
            return own;
        }

        FolderData require(String folderId) {
            FolderData data = folders.get(folderId);
            if (data == null) {
                throw new MailStoreException(Kind.NOT_FOUND, "no folder " + folderId);
            }
            return data;
        }

        void requireParent(String parentId) {
            if (!parentId.equals(Folder.ROOT)) {
                require(parentId);
            }
        }

        /** Folder names are unique among siblings, ignoring case as Exchange does. */
        void requireFreeName(String parentId, String name, String exceptFolderId) {
            for (FolderData data : folders.values()) {
                Folder folder = data.folder;
                if (folder.parentId().equals(parentId) && folder.name().equalsIgnoreCase(name)
                        && !folder.id().equals(exceptFolderId)) {
                    throw new MailStoreException(Kind.ALREADY_EXISTS,
                            "folder " + parentId + " already has a folder named " + name);
                }
            }
        }

        List<String> childrenOf(String parentId) {
            List<String> children = new ArrayList<>();
            for (FolderData data : folders.values()) {
                if (data.folder.parentId().equals(parentId)) {
                    children.add(data.folder.id());
                }
            }
            return children;
        }

        /** The folder and all its descendants, parents first. */
        List<String> subtree(String folderId) {
            List<String> result = new ArrayList<>();
            result.add(folderId);
            for (int i = 0; i < result.size(); i++) {
                result.addAll(childrenOf(result.get(i)));
            }
            return result;
        }

        /** Every folder, parents before children, siblings in creation order. */
        List<Folder> folderTree() {
            Map<String, List<Folder>> byParent = new HashMap<>();
            for (FolderData data : folders.values()) {
                byParent.computeIfAbsent(data.folder.parentId(), k -> new ArrayList<>()).add(data.folder);
            }
            List<Folder> ordered = new ArrayList<>(folders.size());
            ArrayDeque<Folder> pending = new ArrayDeque<>(byParent.getOrDefault(Folder.ROOT, List.of()));
            while (!pending.isEmpty()) {
                Folder folder = pending.removeFirst();
                ordered.add(folder);
                List<Folder> children = byParent.getOrDefault(folder.id(), List.of());
                for (int i = children.size() - 1; i >= 0; i--) {
                    pending.addFirst(children.get(i));
                }
            }
            return ordered;
        }
    }

    private record Tombstone(String id, long modSeq) {
    }

    /**
     * A user's folders in creation order, found by id with a look along the list: a mailbox has tens of folders, and
     * a list costs a few bytes per folder where a linked hash map costs some fifty (every user of a node has one).
     */
    private static final class Folders {
        private final ArrayList<FolderData> list = new ArrayList<>(12);

        FolderData get(String id) {
            for (int i = 0; i < list.size(); i++) {
                FolderData data = list.get(i);
                if (data.folder.id().equals(id)) {
                    return data;
                }
            }
            return null;
        }

        void add(FolderData data) {
            list.add(data);
        }

        void remove(String id) {
            list.removeIf(data -> data.folder.id().equals(id));
        }

        void replace(FolderData was, FolderData now) {
            list.set(list.indexOf(was), now);
        }

        List<FolderData> values() {
            return list;
        }

        int size() {
            return list.size();
        }
    }

    /** One folder: its items, its modification sequence and the tombstones of removed items. */
    private static final class FolderData {
        /** A seeded folder no write has touched yet, held by many users: never changed (see {@link #mutable}). */
        final boolean shared;
        Folder folder;
        long modSeq;
        long lastItemNumber;
        /** Shared immutable empties until the first item: most folders of an idle mailbox never get one. */
        Map<String, Item> items = Map.of();
        /** Write id of {@link MemoryMailStore#addOnce} to the id of the item it added. */
        Map<String, String> writes = Map.of();
        /** The current items by the sequence of their last change: each write takes a sequence of its own. */
        NavigableMap<Long, Item> byModSeq = Collections.emptyNavigableMap();
        /** Made on the first removal: most folders of an idle mailbox never have one. */
        ArrayDeque<Tombstone> tombstones;
        /** The highest sequence of a pruned tombstone: callers from before it cannot be answered incrementally. */
        long prunedUpTo;

        /** The sequence this folder started at: callers from below it ask about another store's history. */
        final long firstModSeq;

        FolderData(Folder folder, long firstModSeq, boolean shared) {
            this.shared = shared;
            this.folder = folder;
            this.firstModSeq = firstModSeq;
            this.modSeq = firstModSeq;
        }

        /** Refuses to change a shared folder: that would change every user's. */
        private void mutable() {
            if (shared) {
                throw new IllegalStateException("shared folder " + folder.id() + " changed in place");
            }
        }

        long nextModSeq() {
            mutable();
            return ++modSeq;
        }

        void rename(Folder renamed) {
            mutable();
            folder = renamed;
        }

        Item add(ItemContent content, Instant date) {
            mutable();
            if (!(items instanceof HashMap)) {
                items = new HashMap<>();
                byModSeq = new TreeMap<>();
            }
            Item item = new Item(folder.id() + ":" + ++lastItemNumber, folder.id(), ++modSeq, date, content);
            items.put(item.id(), item);
            byModSeq.put(item.modSeq(), item);
            return item;
        }

        void rememberWrite(String writeId, String itemId) {
            mutable();
            if (!(writes instanceof HashMap)) {
                writes = new HashMap<>();
            }
            writes.put(writeId, itemId);
        }

        Item replace(Item current, ItemContent content, Instant date) {
            mutable();
            Item item = new Item(current.id(), folder.id(), ++modSeq, date, content);
            byModSeq.remove(current.modSeq());
            items.put(item.id(), item);
            byModSeq.put(item.modSeq(), item);
            return item;
        }

        void remove(String itemId, long atModSeq, int tombstoneLimit) {
            mutable();
            Item removed = items.remove(itemId);
            byModSeq.remove(removed.modSeq());
            if (tombstones == null) {
                tombstones = new ArrayDeque<>();
            }
            tombstones.addLast(new Tombstone(itemId, atModSeq));
            while (tombstones.size() > tombstoneLimit) {
                prunedUpTo = Math.max(prunedUpTo, tombstones.removeFirst().modSeq());
            }
        }

        FolderChanges changesSince(long since) {
            if (since < 0) {
                throw new MailStoreException(Kind.INVALID, "modification sequence " + since);
            }
            // since > modSeq or below firstModSeq: a sequence this store never issued (a device's watermark from
            // before a restart, the mailbox since seeded anew); since < prunedUpTo: a removal the caller has not
            // seen is forgotten. Either way only a full comparison is honest.
            if (since > modSeq || (since > 0 && (since < firstModSeq || since < prunedUpTo))) {
                return new FolderChanges(modSeq, versions(byModSeq.values()), List.of(), true);
            }
            List<String> vanished = new ArrayList<>();
            if (since > 0 && tombstones != null) {
                for (var it = tombstones.descendingIterator(); it.hasNext(); ) {
                    Tombstone tombstone = it.next();
                    if (tombstone.modSeq() <= since) {
                        break;
                    }
                    vanished.add(tombstone.id());
                }
                Collections.reverse(vanished);
            }
            return new FolderChanges(modSeq, versions(byModSeq.tailMap(since, false).values()), vanished, false);
        }

        private static List<ItemVersion> versions(Collection<Item> items) {
            List<ItemVersion> versions = new ArrayList<>(items.size());
            for (Item item : items) {
                versions.add(new ItemVersion(item.id(), item.modSeq(), item.date()));
            }
            return versions;
        }
    }
}
