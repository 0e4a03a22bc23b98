package dev.easgate.backends.imap;

import dev.easgate.backends.mail.AttachmentSource;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailSearch;
import dev.easgate.backends.mail.MailStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A user's IMAP mailbox as a {@link MailStore}: mail folders only (an IMAP server has no contacts or calendars;
 * a composite store routes those elsewhere). A thin facade: each capability lives in its own class over the shared
 * {@link ImapConnections} and the user's cached folder list ({@link ImapFolders}): messages in {@link ImapItems},
 * change tracking and the fallback watcher's polls in {@link ImapChanges}, attachments in {@link ImapAttachments},
 * search in {@link ImapSearch}; ids and sequences are explained in {@link ImapIds}, flags in {@link ImapFlags}.
 *
 * <p>Every call runs on the given bounded blocking scheduler, on a pooled connection of the user.
 */
public final class ImapMailStore implements MailStore, AttachmentSource, MailSearch {
    /** Encoded bytes one partial fetch of a large attachment asks for. */
    public static final int ATTACHMENT_SLICE = ImapAttachments.SLICE;

    private final ImapConnections connections;
    private final Scheduler scheduler;
    private final ImapFolders folders;
    private final ImapItems items;
    private final ImapChanges changes;
    private final ImapAttachments attachments;
    private final ImapSearch search;

    public ImapMailStore(ImapConnections connections, Scheduler scheduler) {
        this.connections = connections;
        this.scheduler = scheduler;
        this.folders = new ImapFolders(connections);
        this.items = new ImapItems(connections, folders);
        this.changes = new ImapChanges(connections, folders);
        this.attachments = new ImapAttachments(connections, folders, scheduler);
        this.search = new ImapSearch(connections, folders);
    }

    public ImapConnections connections() {
        return connections;
    }

    // ---- folders ------------------------------------------------------------------------------------------------

    @Override
    public Flux<Folder> folders(String user) {
        return call(() -> folders.folders(user)).flatMapIterable(list -> list);
    }

    /** See {@link ImapFolders#hierarchy}: folders shared since the user's sessions opened are listed too. */
    @Override
    public Flux<Folder> hierarchy(String user) {
        return call(() -> folders.hierarchy(user)).flatMapIterable(list -> list);
    }

    @Override
    public Mono<Folder> createFolder(String user, String parentId, String name, FolderType type) {
        return call(() -> folders.create(user, parentId, name, type));
    }

    @Override
    public Mono<Folder> updateFolder(String user, String folderId, String newParentId, String newName) {
        return call(() -> folders.update(user, folderId, newParentId, newName));
    }

    @Override
    public Mono<Void> deleteFolder(String user, String folderId) {
        return written(user, () -> {
            folders.delete(user, folderId);
            return Boolean.TRUE;
        }).then();
    }

    @Override
    public Mono<Void> emptyFolder(String user, String folderId, boolean deleteSubfolders) {
        return written(user, () -> {
            folders.empty(user, folderId, deleteSubfolders);
            return Boolean.TRUE;
        }).then();
    }

    // ---- items --------------------------------------------------------------------------------------------------

    @Override
    public Mono<FolderChanges> changesSince(String user, String folderId, long modSeq) {
        return call(() -> changes.since(user, folderId, modSeq));
    }

    /** See {@link ImapChanges#parkedSince}. */
    @Override
    public Mono<FolderChanges> parkedChangesSince(String user, String folderId, long modSeq) {
        return call(() -> changes.parkedSince(user, folderId, modSeq));
    }

    /** The folder list this node last made for the user, of any age (a LIST only when it has none). */
    @Override
    public Flux<Folder> listedFolders(String user) {
        return call(() -> folders.anyAge(user).folders()).flatMapIterable(list -> list);
    }

    @Override
    public Flux<Item> items(String user, String folderId, Collection<String> ids) {
        List<String> wanted = List.copyOf(ids);
        return call(() -> items.items(user, folderId, wanted)).flatMapIterable(list -> list);
    }

    @Override
    public Mono<Item> item(String user, String folderId, String itemId) {
        return call(() -> items.item(user, folderId, itemId)).flatMap(Mono::justOrEmpty);
    }

    @Override
    public Mono<Item> add(String user, String folderId, ItemContent content) {
        return written(user, () -> own(user, items.add(user, folderId, content)));
    }

    @Override
    public Mono<Item> addOnce(String user, String folderId, String writeId, ItemContent content) {
        return written(user, () -> own(user, items.addOnce(user, folderId, writeId, content)));
    }

    @Override
    public Mono<Item> change(String user, String folderId, String itemId, ItemContent content) {
        return written(user, () -> own(user, items.change(user, folderId, itemId, content)));
    }

    @Override
    public Mono<Void> delete(String user, String folderId, String itemId) {
        return written(user, () -> {
            changes.recordOwn(user, folderId, itemId, -1);
            items.delete(user, folderId, itemId);
            return Boolean.TRUE;
        }).then();
    }

    @Override
    public Mono<Item> move(String user, String fromFolderId, String itemId, String toFolderId) {
        return written(user, () -> {
            changes.recordOwn(user, fromFolderId, itemId, -1);
            return own(user, items.move(user, fromFolderId, itemId, toFolderId));
        });
    }

    /** Records the written message's new version, so the watcher can tell the user's own writes from others'. */
    private Item own(String user, Item item) {
        if (item != null) {
            changes.recordOwn(user, item.folderId(), item.id(), item.modSeq());
        }
        return item;
    }

    // ---- attachments and search -----------------------------------------------------------------------------------

    @Override
    public Mono<Attachment> attachment(String user, String folderId, String itemId, int leafIndex) {
        return call(() -> attachments.attachment(user, folderId, itemId, leafIndex)).flatMap(Mono::justOrEmpty);
    }

    @Override
    public Flux<ItemVersion> search(String user, String folderId, MailQuery query) {
        return call(() -> search.search(user, folderId, query)).flatMapIterable(list -> list);
    }

    // ---- the fallback watcher's polls ---------------------------------------------------------------------------------

    /** What one fallback poll of a user found. */
    public record Polled(int asked, List<String> moved, boolean hierarchy) {
    }

    /** See {@link ImapChanges#poll}. */
    public Mono<Polled> pollModSeqs(String user, Collection<String> folderIds, int maxFolders) {
        changes.keepWatermarks();
        return call(() -> changes.poll(user, folderIds, maxFolders));
    }

    /**
     * Lets the connections waiting in the pool IDLE ({@link ImapConnections#idleWith}), read and ended on this
     * store's blocking scheduler.
     */
    public void idleWith(ImapConnections.Idling idling) {
        idleWith(idling, ImapIdle.RENEW);
    }

    /** The same, each IDLE renewed (DONE, IDLE) once it is {@code renew} old. */
    public void idleWith(ImapConnections.Idling idling, Duration renew) {
        connections.idleWith(idling, task -> scheduler.schedule(task), renew);
    }

    /** See {@link ImapChanges#idleMailbox}. */
    public Optional<String> idleMailbox(String user, Collection<String> folderIds) {
        return changes.idleMailbox(user, folderIds);
    }

    /**
     * What EXAMINE saw of a mailbox before an IDLE (re)started in it ({@link ImapChanges#examined}): the folder's id
     * when it changed by anything but this node's own writes of the user since it was last seen
     * ({@link ImapChanges#foreign}, asked once the writes in progress settled), else nothing.
     */
    public Mono<String> examined(String user, String mailbox, long uidValidity, long highestModSeq) {
        return Mono.justOrEmpty(changes.examined(user, mailbox, uidValidity, highestModSeq))
                .flatMap(moved -> call(() -> changes.foreign(user, moved))
                        .onErrorReturn(true) // cannot tell: wake rather than miss
                        .filter(Boolean::booleanValue).map(yes -> moved.folderId()));
    }

    /** See {@link ImapChanges#untilWritesSettle}. */
    public Duration untilWritesSettle(String user, Duration settle) {
        return changes.untilWritesSettle(user, settle);
    }

    /** See {@link ImapChanges#notIdled}. */
    public Collection<String> notIdled(String user, Collection<String> folderIds) {
        return changes.notIdled(user, folderIds);
    }

    /** From now on the first look at a folder after a user parks records its watermark (the watcher calls it). */
    public void keepWatermarks() {
        changes.keepWatermarks();
    }

    /** Drops the watermarks of users no longer watched (they are taken anew when the user parks again). */
    public void retainWatermarks(Predicate<String> watched) {
        changes.retainWatermarks(watched);
    }

    // ---- counters (for tests and diagnostics) -------------------------------------------------------------------------

    /** STATUS commands the fallback polls sent. */
    public long statusCommands() {
        return changes.statusCommands();
    }

    /** Whole-message fetches (BODY.PEEK[]) so far. */
    public long messageFetches() {
        return items.messageFetches();
    }

    /** Single-part fetches of attachments so far. */
    public long partFetches() {
        return attachments.partFetches();
    }

    /** Parked checks ({@link #parkedChangesSince}) so far. */
    public long parkedChecks() {
        return changes.parkedChecks();
    }

    /** Parked checks answered from a kept answer, with no full look at the folder. */
    public long keptAnswers() {
        return changes.keptAnswers();
    }

    /** STATUS commands the parked checks sent for a folder's fingerprint on a connection already open. */
    public long fingerprintLooks() {
        return changes.fingerprintLooks();
    }

    /** Partial fetches ({@code BODY.PEEK[section]<offset.length>}) of streamed large attachments so far. */
    public long attachmentSlices() {
        return attachments.slices();
    }

    private <T> Mono<T> call(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(scheduler);
    }

    /** A write of the user's items: the answers kept for parked checks are not reused after it, even a failed one. */
    private <T> Mono<T> written(String user, Callable<T> work) {
        return call(() -> {
            changes.writing(user);
            try {
                return work.call();
            } finally {
                changes.wrote(user);
            }
        });
    }
}
