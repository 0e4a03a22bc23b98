package dev.easgate.backends.mail;

import java.util.Collection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A user's folders and items. Every method is asynchronous; an implementation over a blocking protocol runs its
 * calls on one bounded scheduler, never on the caller's thread (the caller may be a Netty event loop). Errors are
 * signalled as {@link MailStoreException}.
 *
 * <p>Change tracking: each folder has a modification sequence that grows with every add, change or removal of
 * one of its items; {@link #changesSince} lists what happened after a given sequence (the watermark), each item with
 * its version, which identifies its content and is not an order (see the package documentation).
 *
 * <p>Errors common to every method: a folder id the user's store does not have is NOT_FOUND; an item whose class
 * is not the folder's ({@link Folder#itemClass()}) is INVALID. The shared contract test (MailStoreContract in this
 * module's test-jar) pins these rules down.
 */
public interface MailStore {

    /** The user's folders, parents before children. */
    Flux<Folder> folders(String user);

    /**
     * The user's folders as a FolderSync must see them, folders other users shared with the user since the store last
     * looked included: a store whose sessions keep an older view of the shared folders (an IMAP session's view of the
     * other users' namespace) looks afresh here. The default is {@link #folders}.
     */
    default Flux<Folder> hierarchy(String user) {
        return folders(user);
    }

    /**
     * Creates a folder; fails with ALREADY_EXISTS when the parent has one of that name, NOT_FOUND when the parent
     * is unknown ({@link Folder#ROOT} is the top level).
     */
    Mono<Folder> createFolder(String user, String parentId, String name, FolderType type);

    /** Renames and/or moves a folder; its id stays the same. Special folders (Inbox ...) are NOT_ALLOWED. */
    Mono<Folder> updateFolder(String user, String folderId, String newParentId, String newName);

    /** Deletes a folder with its items and subfolders. Special folders (Inbox ...) are NOT_ALLOWED. */
    Mono<Void> deleteFolder(String user, String folderId);

    /**
     * What changed in the folder after the watermark {@code modSeq} (0: everything it holds); a watermark this
     * store cannot answer from answers every item with {@code resetRequired}.
     */
    Mono<FolderChanges> changesSince(String user, String folderId, long modSeq);

    /**
     * The user's folders as the store last listed them, or as listed now when it has no list: for the check of a
     * parked request, which a later hierarchy change notification corrects. A store whose listing is cheap keeps the
     * default, {@link #folders}.
     */
    default Flux<Folder> listedFolders(String user) {
        return folders(user);
    }

    /**
     * {@link #changesSince} for the check of a request that parks listening to the user's changes first (a Ping):
     * the store may answer as of the last state it observed, provided that any change after that observation is
     * published on the change bus (the parked request then wakes). Same result as {@link #changesSince} for that
     * state, so the rule over it gives the same answer as a Sync would. The default asks the store now.
     */
    default Mono<FolderChanges> parkedChangesSince(String user, String folderId, long modSeq) {
        return changesSince(user, folderId, modSeq);
    }

    /** The items with these ids in this folder; ids not (any more) there are left out. */
    Flux<Item> items(String user, String folderId, Collection<String> ids);

    /** One item, or empty when it is not there (the folder itself must exist). */
    Mono<Item> item(String user, String folderId, String itemId);

    /** Adds an item; the store assigns its id and modification sequence. */
    Mono<Item> add(String user, String folderId, ItemContent content);

    /**
     * Adds an item once per {@code writeId} (at most 64 characters of {@code [0-9a-z-]}, chosen by the caller): when
     * an item added under the same write id is still in the folder, that item is returned and nothing is added.
     * A Sync processed again after a crash (the device retries its Add, MS-ASCMD 2.2.3.29.1 ClientId) so finds the
     * item the first attempt added. How the store marks the item is its own (a header of the message, a resource
     * name); the mark may show in the item's raw content.
     */
    Mono<Item> addOnce(String user, String folderId, String writeId, ItemContent content);

    /**
     * Replaces an item's content (for an email only its flags may change: the MIME given is ignored). Fails with
     * NOT_FOUND when the item is gone.
     */
    Mono<Item> change(String user, String folderId, String itemId, ItemContent content);

    /**
     * Replaces the whole message of an email, with its flags: a 16.0 client's Sync Change of a draft (MS-ASCMD
     * 2.2.3.24, MS-ASEMAIL 2.2.2.42 IsDraft). A store that rewrites the message in place keeps the item's id; the
     * default adds the new message and removes the old one, so the result then carries a new id. NOT_FOUND when the
     * item is gone, INVALID when it is not an email.
     */
    default Mono<Item> replaceMessage(String user, String folderId, String itemId, ItemContent.Email content) {
        return item(user, folderId, itemId)
                .switchIfEmpty(Mono.error(() -> new MailStoreException(MailStoreException.Kind.NOT_FOUND,
                        "no item " + itemId + " in folder " + folderId)))
                .flatMap(current -> current.content() instanceof ItemContent.Email
                        ? add(user, folderId, content).flatMap(added -> delete(user, folderId, itemId)
                                .thenReturn(added))
                        : Mono.error(new MailStoreException(MailStoreException.Kind.INVALID,
                                "item " + itemId + " is not an email")));
    }

    /** Removes an item; removing an item that is already gone completes normally. */
    Mono<Void> delete(String user, String folderId, String itemId);

    /**
     * Moves an item to another folder of the same class (INVALID otherwise); returns it under its new id. The source
     * reports it vanished, the target added. NOT_FOUND when the item is gone.
     */
    Mono<Item> move(String user, String fromFolderId, String itemId, String toFolderId);

    /** Removes every item of a folder, and its subfolders when asked (ItemOperations EmptyFolderContents). */
    Mono<Void> emptyFolder(String user, String folderId, boolean deleteSubfolders);

    /** This store's {@link AttachmentSource}, if it has one (wrapping stores pass on the wrapped store's). */
    default java.util.Optional<AttachmentSource> attachmentSource() {
        return this instanceof AttachmentSource source ? java.util.Optional.of(source) : java.util.Optional.empty();
    }

    /** This store's {@link MailSearch}, if it has one (wrapping stores pass on the wrapped store's). */
    default java.util.Optional<MailSearch> mailSearch() {
        return this instanceof MailSearch search ? java.util.Optional.of(search) : java.util.Optional.empty();
    }
}
