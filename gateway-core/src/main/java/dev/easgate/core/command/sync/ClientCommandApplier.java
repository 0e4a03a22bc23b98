package dev.easgate.core.command.sync;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.core.content.ApplicationDataReader;
import dev.easgate.core.content.ContentOptions;
import dev.easgate.core.content.ContentRenderer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Applies a collection's client commands to the store, one after the other, and answers them in the Responses
 * element (MS-ASCMD 2.2.3.154): every Add and Fetch gets a response, a Change or Delete only when it failed. The
 * known map learns each write so that the client's own changes are never echoed back to it.
 */
final class ClientCommandApplier {
    private final MailStore store;
    private final String user;
    private final Folder folder;
    private final String deletedItemsId;
    private final ContentOptions content;
    private final Set<String> supported;
    private final boolean deletesAsMoves;

    ClientCommandApplier(MailStore store, String user, Folder folder, String deletedItemsId, ContentOptions content,
                         Set<String> supported, boolean deletesAsMoves) {
        this.store = store;
        this.user = user;
        this.folder = folder;
        this.deletedItemsId = deletedItemsId;
        this.content = content;
        this.supported = supported;
        this.deletesAsMoves = deletesAsMoves;
    }

    /** The outcome: Responses children in command order, and the known map after the writes. */
    record Applied(List<WbxmlElement> responses, Map<String, Long> known) {
    }

    Mono<Applied> apply(List<ClientCommand> commands, Map<String, Long> known) {
        Map<String, Long> next = new HashMap<>(known);
        List<WbxmlElement> responses = new ArrayList<>();
        return Flux.fromIterable(commands)
                .concatMap(command -> apply(command, next).doOnNext(responses::add))
                .then(Mono.fromSupplier(() -> new Applied(responses, next)));
    }

    private Mono<WbxmlElement> apply(ClientCommand command, Map<String, Long> known) {
        if (command instanceof ClientCommand.Add add) {
            return add(add, known);
        }
        if (command instanceof ClientCommand.Change change) {
            return change(change, known);
        }
        if (command instanceof ClientCommand.Delete delete) {
            return delete(delete, known);
        }
        return fetch((ClientCommand.Fetch) command);
    }

    private Mono<WbxmlElement> add(ClientCommand.Add add, Map<String, Long> known) {
        ItemClass itemClass = folder.itemClass();
        if (itemClass == ItemClass.EMAIL) {
            // MS-ASCMD 2.2.3.7.2: adding email via Sync (16.0 drafts) is not supported here
            return Mono.just(addResponse(add.clientId(), null, SyncStatus.CONVERSION_ERROR));
        }
        return store.add(user, folder.id(), ApplicationDataReader.newPim(itemClass, add.applicationData()))
                .map(item -> {
                    known.put(item.id(), item.modSeq());
                    return addResponse(add.clientId(), item.id(), SyncStatus.SUCCESS);
                })
                .onErrorResume(MailStoreException.class, e ->
                        Mono.just(addResponse(add.clientId(), null, statusOf(e))));
    }

    private Mono<WbxmlElement> change(ClientCommand.Change change, Map<String, Long> known) {
        return store.item(user, folder.id(), change.serverId())
                .flatMap(current -> {
                    ItemContent next = current.content() instanceof ItemContent.Email email
                            ? email.withFlags(
                                    ApplicationDataReader.changedEmailFlags(email.flags(), change.applicationData()))
                            : ApplicationDataReader.changedPim((ItemContent.Pim) current.content(),
                                    change.applicationData(), supported);
                    return store.change(user, folder.id(), change.serverId(), next);
                })
                .map(item -> {
                    known.put(item.id(), item.modSeq());
                    return NO_RESPONSE;
                })
                .switchIfEmpty(Mono.fromSupplier(() -> failure("Change", change.serverId(),
                        SyncStatus.OBJECT_NOT_FOUND)))
                .onErrorResume(MailStoreException.class, e -> Mono.just(failure("Change", change.serverId(),
                        statusOf(e))))
                .onErrorResume(IllegalArgumentException.class, e -> Mono.just(failure("Change", change.serverId(),
                        SyncStatus.CONVERSION_ERROR)))
                .filter(response -> response != NO_RESPONSE);
    }

    private Mono<WbxmlElement> delete(ClientCommand.Delete delete, Map<String, Long> known) {
        String id = delete.serverId();
        boolean move = deletesAsMoves && deletedItemsId != null && folder.type() != FolderType.DELETED_ITEMS
                && folder.itemClass() == ItemClass.EMAIL;
        return store.item(user, folder.id(), id)
                .flatMap(item -> move
                        // MS-ASCMD 2.2.3.43: DeletesAsMoves moves the item to Deleted Items
                        ? store.move(user, folder.id(), id, deletedItemsId).then(Mono.just(NO_RESPONSE))
                        : store.delete(user, folder.id(), id).then(Mono.just(NO_RESPONSE)))
                .doOnNext(ignored -> known.remove(id))
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    known.remove(id);
                    return failure("Delete", id, SyncStatus.OBJECT_NOT_FOUND);
                }))
                .onErrorResume(MailStoreException.class, e -> Mono.just(failure("Delete", id, statusOf(e))))
                .filter(response -> response != NO_RESPONSE);
    }

    private Mono<WbxmlElement> fetch(ClientCommand.Fetch fetch) {
        return store.item(user, folder.id(), fetch.serverId())
                .map(item -> WbxmlElement.el(CodePage.AIR_SYNC, "Fetch")
                        .child("ServerId", fetch.serverId())
                        .child("Status", SyncStatus.SUCCESS)
                        .child(ContentRenderer.applicationData(item, content))
                        .build())
                .switchIfEmpty(Mono.fromSupplier(() -> failure("Fetch", fetch.serverId(),
                        SyncStatus.OBJECT_NOT_FOUND)))
                .onErrorResume(MailStoreException.class, e -> Mono.just(failure("Fetch", fetch.serverId(),
                        statusOf(e))));
    }

    /** Marks a command that succeeded silently (no Responses entry). */
    private static final WbxmlElement NO_RESPONSE = WbxmlElement.empty(CodePage.AIR_SYNC.require("Status"));

    private static WbxmlElement addResponse(String clientId, String serverId, int status) {
        WbxmlElement.Builder add = WbxmlElement.el(CodePage.AIR_SYNC, "Add").child("ClientId", clientId);
        if (serverId != null) {
            add.child("ServerId", serverId);
        }
        return add.child("Status", status).build();
    }

    private static WbxmlElement failure(String command, String serverId, int status) {
        return WbxmlElement.el(CodePage.AIR_SYNC, command).child("ServerId", serverId).child("Status", status)
                .build();
    }

    static int statusOf(MailStoreException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> SyncStatus.OBJECT_NOT_FOUND;
            case INVALID, NOT_ALLOWED, ALREADY_EXISTS -> SyncStatus.CONVERSION_ERROR;
            case UNAVAILABLE -> SyncStatus.RETRY;
        };
    }
}
