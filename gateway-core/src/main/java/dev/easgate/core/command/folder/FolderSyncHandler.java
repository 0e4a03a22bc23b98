package dev.easgate.core.command.folder;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * FolderSync (MS-ASCMD 2.2.1.5).
 *
 * <ul>
 *   <li>SyncKey 0: every folder as an Add, key 1; whatever the device held before is replaced.</li>
 *   <li>The device's current key: Add, Update and Delete of the folders since its list ({@link HierarchyDiff}) under
 *       the next key, stored compare-and-set with the encoded response. With no change the key stays and nothing
 *       is stored (Count 0), so polling does not grow the key.</li>
 *   <li>The key before the current one, when the current one came from a FolderSync: the stored response, byte for
 *       byte (the device did not get it, 2.2.3.177.2).</li>
 *   <li>Any other key: Status 9, the device starts again from 0 (2.2.3.177.5). A missing SyncKey or a body that is
 *       not FolderSync: Status 10. A store failure: Status 6.</li>
 * </ul>
 * Folders the device held that are gone lose their collection state.
 */
public final class FolderSyncHandler implements CommandHandler {
    static final String ROOT = "FolderSync";
    private static final String WBXML = "application/vnd.ms-sync.wbxml";

    private final FolderHierarchy hierarchy;

    public FolderSyncHandler(FolderHierarchy hierarchy) {
        this.hierarchy = Objects.requireNonNull(hierarchy, "hierarchy");
    }

    @Override
    public EasCommand command() {
        return EasCommand.FOLDER_SYNC;
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        String key = body == null || !body.matches("FolderHierarchy:FolderSync") ? null
                : FolderHierarchy.text(body, "FolderHierarchy:SyncKey");
        if (key == null) {
            return ok(FolderHierarchy.refuse(request, ROOT, 10, "no FolderSync/SyncKey"));
        }
        if (!FolderHierarchy.isWellFormedKey(key)) {
            return ok(FolderHierarchy.refuse(request, ROOT, 9, "malformed sync key"));
        }
        return sync(request, key, true)
                // MS-ASCMD 2.2.3.177.5: 6, a server error the client retries; the status is global, so a
                // refused DAV login fails the whole hierarchy rather than hiding the user's calendars
                .onErrorResume(MailStoreException.class, e -> ok(FolderHierarchy.refuse(request, ROOT, 6, e)));
    }

    private Mono<CommandResponse> sync(CommandRequest request, String key, boolean mayRetry) {
        Mono<HierarchyState> stored = key.equals("0") ? Mono.empty() : hierarchy.state().hierarchy(request.deviceKey());
        return stored.map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty()).flatMap(optional -> {
            HierarchyState current = optional.orElse(null);
            if (key.equals("0")) {
                return answer(request, null, List.of(), key, mayRetry);
            }
            if (current != null && current.syncKey().equals(key)) {
                return answer(request, current, current.folders(), key, mayRetry);
            }
            if (current != null && current.previousKey().equals(key) && current.previousResponse().length > 0) {
                return Mono.just(CommandResponse.raw(current.previousResponse(), WBXML));
            }
            return ok(FolderHierarchy.refuse(request, ROOT, 9, "sync key is not the device's current key"));
        });
    }

    private Mono<CommandResponse> answer(CommandRequest request, HierarchyState current, List<Folder> known,
                                         String key, boolean mayRetry) {
        return hierarchy.folders(request.user()).flatMap(folders -> {
            HierarchyDiff diff = HierarchyDiff.between(known, folders);
            if (current != null && diff.isEmpty()) {
                return ok(response(key, diff));
            }
            String nextKey = FolderHierarchy.next(key);
            WbxmlElement response = response(nextKey, diff);
            HierarchyState next = new HierarchyState(nextKey, folders, key, WbxmlEncoder.encode(response));
            String expected = key.equals("0") ? null : key;
            return hierarchy.state().replaceHierarchy(request.deviceKey(), expected, next).flatMap(replaced -> {
                if (!replaced) {
                    // Another request with the same key won the race: answer as a retry of it (once).
                    return mayRetry ? sync(request, key, false)
                            : ok(FolderHierarchy.refuse(request, ROOT, 9, "sync key advanced concurrently"));
                }
                return hierarchy.forgetCollections(request.deviceKey(), HierarchyDiff.vanished(known, folders))
                        .thenReturn(CommandResponse.ok(response));
            });
        });
    }

    /** The response: Status 1, SyncKey, Changes with Count then Add, Update and Delete (2.2.3.25). */
    static WbxmlElement response(String key, HierarchyDiff diff) {
        return WbxmlElement.el(CodePage.FOLDER_HIERARCHY, ROOT)
                .child("Status", 1)
                .child("SyncKey", key)
                .child("Changes", changes -> {
                    changes.child("Count", diff.count());
                    for (Folder folder : diff.added()) {
                        changes.child("Add", add -> folder(add, folder));
                    }
                    for (Folder folder : diff.updated()) {
                        changes.child("Update", update -> folder(update, folder));
                    }
                    for (String id : diff.deleted()) {
                        changes.child("Delete", delete -> delete.child("ServerId", id));
                    }
                })
                .build();
    }

    private static void folder(WbxmlElement.Builder element, Folder folder) {
        element.child("ServerId", folder.id())
                .child("ParentId", folder.parentId())
                .child("DisplayName", folder.name())
                .child("Type", folder.type().code());
    }

    private static Mono<CommandResponse> ok(WbxmlElement body) {
        return Mono.just(CommandResponse.ok(body));
    }
}
