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
        return written(user, () -> items.add(user, folderId, content));
    }

    @Override
    public Mono<Item> addOnce(String user, String folderId, String writeId, ItemContent content) {
        return written(user, () -> items.addOnce(user, folderId, writeId, content));
    }

    @Override
    public Mono<Item> change(String user, String folderId, String itemId, ItemContent content) {
        return written(user, () -> items.change(user, folderId, itemId, content));
    }

    @Override
    public Mono<Void> delete(String user, String folderId, String itemId) {
        return written(user, () -> {
            items.delete(user, folderId, itemId);
            return Boolean.TRUE;
        }).then();
    }

    @Override
    public Mono<Item> move(String user, String fromFolderId, String itemId, String toFolderId) {
        return written(user, () -> items.move(user, fromFolderId, itemId, toFolderId));
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
            try {
                return work.call();
            } finally {
                changes.wrote(user);
            }
        });
    }
}
