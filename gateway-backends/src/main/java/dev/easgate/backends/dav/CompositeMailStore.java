package dev.easgate.backends.dav;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import java.util.Collection;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One user's store made of two: mail (and notes) from the mail store, calendars, contacts and tasks from DAV.
 * The mail store's own folders of those classes are hidden (with the memory backend: its seeded Calendar,
 * Contacts and Tasks give way to the DAV collections). Every call goes by the folder id: DAV folder ids are
 * {@code d} + 10 hex digits ({@link DavStore#folderId}); mail stores must not make such ids (memory: {@code f1},
 * IMAP: its own scheme).
 */
public final class CompositeMailStore implements MailStore {
    private final MailStore mail;
    private final DavStore dav;

    public CompositeMailStore(MailStore mail, DavStore dav) {
        this.mail = Objects.requireNonNull(mail);
        this.dav = Objects.requireNonNull(dav);
    }

    public DavStore dav() {
        return dav;
    }

    static boolean isDavId(String folderId) {
        return folderId != null && folderId.length() == 11 && folderId.charAt(0) == 'd'
                && folderId.substring(1).chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static boolean davClass(ItemClass itemClass) {
        return itemClass == ItemClass.CALENDAR || itemClass == ItemClass.CONTACTS || itemClass == ItemClass.TASKS;
    }

    private MailStore of(String folderId) {
        return isDavId(folderId) ? dav : mail;
    }

    @Override
    public Flux<Folder> folders(String user) {
        return mail.folders(user).filter(f -> !davClass(f.itemClass())).concatWith(dav.folders(user));
    }

    @Override
    public Flux<Folder> hierarchy(String user) {
        return mail.hierarchy(user).filter(f -> !davClass(f.itemClass())).concatWith(dav.hierarchy(user));
    }

    @Override
    public Mono<Folder> createFolder(String user, String parentId, String name, FolderType type) {
        if (davClass(type.itemClass())) {
            // DAV collections are not nested: a PIM folder asked for under a mail folder is made at the top
            return dav.createFolder(user, isDavId(parentId) ? parentId : Folder.ROOT, name, type);
        }
        return mail.createFolder(user, parentId, name, type);
    }

    @Override
    public Mono<Folder> updateFolder(String user, String folderId, String newParentId, String newName) {
        return of(folderId).updateFolder(user, folderId, newParentId, newName);
    }

    @Override
    public Mono<Void> deleteFolder(String user, String folderId) {
        return of(folderId).deleteFolder(user, folderId);
    }

    @Override
    public Mono<FolderChanges> changesSince(String user, String folderId, long modSeq) {
        return of(folderId).changesSince(user, folderId, modSeq);
    }

    @Override
    public Flux<Folder> listedFolders(String user) {
        return mail.listedFolders(user).filter(f -> !davClass(f.itemClass())).concatWith(dav.listedFolders(user));
    }

    @Override
    public Mono<FolderChanges> parkedChangesSince(String user, String folderId, long modSeq) {
        return of(folderId).parkedChangesSince(user, folderId, modSeq);
    }

    @Override
    public Flux<Item> items(String user, String folderId, Collection<String> ids) {
        return of(folderId).items(user, folderId, ids);
    }

    @Override
    public java.util.Optional<dev.easgate.backends.mail.AttachmentSource> attachmentSource() {
        return mail.attachmentSource(); // DAV items have no attachments
    }

    /** The mail side's search, for its folders only: a DAV folder holds no email (NOT_FOUND). */
    @Override
    public java.util.Optional<dev.easgate.backends.mail.MailSearch> mailSearch() {
        return mail.mailSearch().map(search -> (user, folderId, query) -> isDavId(folderId)
                ? Flux.error(new dev.easgate.backends.mail.MailStoreException(
                        dev.easgate.backends.mail.MailStoreException.Kind.NOT_FOUND, "no email folder " + folderId))
                : search.search(user, folderId, query));
    }

    @Override
    public Mono<Item> item(String user, String folderId, String itemId) {
        return of(folderId).item(user, folderId, itemId);
    }

    @Override
    public Mono<Item> add(String user, String folderId, ItemContent content) {
        return of(folderId).add(user, folderId, content);
    }

    @Override
    public Mono<Item> addOnce(String user, String folderId, String writeId, ItemContent content) {
        return of(folderId).addOnce(user, folderId, writeId, content);
    }

    @Override
    public Mono<Item> change(String user, String folderId, String itemId, ItemContent content) {
        return of(folderId).change(user, folderId, itemId, content);
    }

    @Override
    public Mono<Item> replaceMessage(String user, String folderId, String itemId, ItemContent.Email content) {
        return of(folderId).replaceMessage(user, folderId, itemId, content);
    }

    @Override
    public Mono<Void> delete(String user, String folderId, String itemId) {
        return of(folderId).delete(user, folderId, itemId);
    }

    @Override
    public Mono<Item> move(String user, String fromFolderId, String itemId, String toFolderId) {
        if (isDavId(fromFolderId) != isDavId(toFolderId)) {
            return mail.folders(user).concatWith(dav.folders(user)).filter(f -> f.id().equals(toFolderId)).next()
                    .switchIfEmpty(Mono.error(() -> new MailStoreException(MailStoreException.Kind.NOT_FOUND,
                            "no folder " + toFolderId)))
                    .then(Mono.error(new MailStoreException(MailStoreException.Kind.INVALID,
                            "folders of different classes")));
        }
        return of(fromFolderId).move(user, fromFolderId, itemId, toFolderId);
    }

    @Override
    public Mono<Void> emptyFolder(String user, String folderId, boolean deleteSubfolders) {
        return of(folderId).emptyFolder(user, folderId, deleteSubfolders);
    }
}
