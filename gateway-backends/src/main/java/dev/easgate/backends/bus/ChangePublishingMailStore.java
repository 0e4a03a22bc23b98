package dev.easgate.backends.bus;

import dev.easgate.backends.mail.AttachmentSource;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailSearch;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.state.DeviceKey;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * A mail store that publishes a {@link BusEvent.FolderChanged} on the change bus after every successful write, so
 * that the user's other devices wake, whatever the store. A bus failure never fails the write: it is logged, and
 * the devices learn of the change at their next heartbeat or bus gap.
 *
 * <p>A write made for a device's own request (the device is read from the Reactor context of the write) is tagged
 * with that device ({@link BusEvent.FolderChanged#originDevice}), so that its own parked Ping does not wake for what
 * it wrote itself; a write into another user's store (a delivery) is not tagged.
 */
public final class ChangePublishingMailStore implements MailStore {
    private static final Logger LOG = LoggerFactory.getLogger(ChangePublishingMailStore.class);

    private final MailStore store;
    private final ChangeBus bus;
    private final Function<ContextView, Optional<DeviceKey>> origin;

    /** Publishes every change untagged. */
    public ChangePublishingMailStore(MailStore store, ChangeBus bus) {
        this(store, bus, context -> Optional.empty());
    }

    /**
     * @param origin the device whose request a write's Reactor context belongs to, if any
     */
    public ChangePublishingMailStore(MailStore store, ChangeBus bus,
                                     Function<ContextView, Optional<DeviceKey>> origin) {
        this.store = Objects.requireNonNull(store, "store");
        this.bus = Objects.requireNonNull(bus, "bus");
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    private Mono<Void> publish(String user, String folderId, boolean hierarchy) {
        return Mono.deferContextual(context -> {
                    String device = origin.apply(context).filter(key -> key.user().equals(user))
                            .map(DeviceKey::deviceId).orElse(null);
                    return bus.publish(new BusEvent.FolderChanged(user, folderId, hierarchy,
                            System.currentTimeMillis(), device));
                })
                .onErrorResume(e -> {
                    LOG.warn("change of user={} folder={} not published: {}", user, folderId, e.toString());
                    return Mono.empty();
                });
    }

    @Override
    public Flux<Folder> folders(String user) {
        return store.folders(user);
    }

    @Override
    public Flux<Folder> hierarchy(String user) {
        return store.hierarchy(user);
    }

    @Override
    public Mono<Folder> createFolder(String user, String parentId, String name, FolderType type) {
        return store.createFolder(user, parentId, name, type)
                .flatMap(folder -> publish(user, folder.id(), true).thenReturn(folder));
    }

    @Override
    public Mono<Folder> updateFolder(String user, String folderId, String newParentId, String newName) {
        return store.updateFolder(user, folderId, newParentId, newName)
                .flatMap(folder -> publish(user, folder.id(), true).thenReturn(folder));
    }

    @Override
    public Mono<Void> deleteFolder(String user, String folderId) {
        return store.deleteFolder(user, folderId).then(publish(user, folderId, true));
    }

    @Override
    public Mono<FolderChanges> changesSince(String user, String folderId, long modSeq) {
        return store.changesSince(user, folderId, modSeq);
    }

    @Override
    public Flux<Folder> listedFolders(String user) {
        return store.listedFolders(user);
    }

    @Override
    public Mono<FolderChanges> parkedChangesSince(String user, String folderId, long modSeq) {
        return store.parkedChangesSince(user, folderId, modSeq);
    }

    @Override
    public Flux<Item> items(String user, String folderId, Collection<String> ids) {
        return store.items(user, folderId, ids);
    }

    @Override
    public Optional<AttachmentSource> attachmentSource() {
        return store.attachmentSource();
    }

    @Override
    public Optional<MailSearch> mailSearch() {
        return store.mailSearch();
    }

    @Override
    public Mono<Item> item(String user, String folderId, String itemId) {
        return store.item(user, folderId, itemId);
    }

    @Override
    public Mono<Item> add(String user, String folderId, ItemContent content) {
        return store.add(user, folderId, content).flatMap(item -> publish(user, folderId, false).thenReturn(item));
    }

    @Override
    public Mono<Item> addOnce(String user, String folderId, String writeId, ItemContent content) {
        return store.addOnce(user, folderId, writeId, content)
                .flatMap(item -> publish(user, folderId, false).thenReturn(item));
    }

    @Override
    public Mono<Item> replaceMessage(String user, String folderId, String itemId, ItemContent.Email content) {
        return store.replaceMessage(user, folderId, itemId, content)
                .flatMap(item -> publish(user, folderId, false).thenReturn(item));
    }

    @Override
    public Mono<Item> change(String user, String folderId, String itemId, ItemContent content) {
        return store.change(user, folderId, itemId, content)
                .flatMap(item -> publish(user, folderId, false).thenReturn(item));
    }

    @Override
    public Mono<Void> delete(String user, String folderId, String itemId) {
        return store.delete(user, folderId, itemId).then(publish(user, folderId, false));
    }

    @Override
    public Mono<Item> move(String user, String fromFolderId, String itemId, String toFolderId) {
        return store.move(user, fromFolderId, itemId, toFolderId)
                .flatMap(item -> publish(user, fromFolderId, false)
                        .then(publish(user, toFolderId, false))
                        .thenReturn(item));
    }

    @Override
    public Mono<Void> emptyFolder(String user, String folderId, boolean deleteSubfolders) {
        return store.emptyFolder(user, folderId, deleteSubfolders)
                .then(publish(user, folderId, deleteSubfolders));
    }
}
