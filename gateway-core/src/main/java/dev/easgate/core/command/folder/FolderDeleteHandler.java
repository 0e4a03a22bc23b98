package dev.easgate.core.command.folder;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * FolderDelete (MS-ASCMD 2.2.1.4; statuses 2.2.3.177.4): deletes a folder with its subfolders and items. SyncKey
 * and ServerId are required (Status 10), the key must be current (9). Then: folder not found 4, a special folder
 * (any type that is not user-created) 3, store failure 6. On success the folder and its subfolders leave the
 * device's list under the next key and lose their collection state.
 */
public final class FolderDeleteHandler implements CommandHandler {
    static final String ROOT = "FolderDelete";

    private final FolderHierarchy hierarchy;

    public FolderDeleteHandler(FolderHierarchy hierarchy) {
        this.hierarchy = Objects.requireNonNull(hierarchy, "hierarchy");
    }

    @Override
    public EasCommand command() {
        return EasCommand.FOLDER_DELETE;
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        if (body == null || !body.matches("FolderHierarchy:FolderDelete")) {
            return Mono.just(CommandResponse.ok(FolderHierarchy.refuse(request, ROOT, 10, "no FolderDelete body")));
        }
        String key = FolderHierarchy.text(body, "FolderHierarchy:SyncKey");
        String id = FolderHierarchy.text(body, "FolderHierarchy:ServerId");
        if (key == null || id == null || id.isEmpty()) {
            return Mono.just(CommandResponse.ok(FolderHierarchy.refuse(request, ROOT, 10,
                    "SyncKey or ServerId missing")));
        }
        return hierarchy.expect(request.deviceKey(), key)
                .flatMap(current -> delete(request, current, id))
                .switchIfEmpty(Mono.defer(() -> Mono.just(
                        FolderHierarchy.refuse(request, ROOT, 9, "sync key is not the device's current key"))))
                .onErrorResume(MailStoreException.class,
                        e -> Mono.just(FolderHierarchy.refuse(request, ROOT, status(e.kind()), e)))
                .map(CommandResponse::ok);
    }

    private Mono<WbxmlElement> delete(CommandRequest request, HierarchyState current, String id) {
        return hierarchy.folders(request.user()).flatMap(folders -> {
            Folder folder = FolderHierarchy.find(folders, id);
            if (folder == null) {
                return Mono.just(FolderHierarchy.refuse(request, ROOT, 4, "folder not found"));
            }
            if (!folder.type().userCreatable()) {
                return Mono.just(FolderHierarchy.refuse(request, ROOT, 3, "special folder"));
            }
            Set<String> removed = new HashSet<>(FolderHierarchy.subtree(folders, id));
            removed.addAll(FolderHierarchy.subtree(current.folders(), id));
            List<Folder> remaining = FolderHierarchy.without(current.folders(), removed);
            return hierarchy.store().deleteFolder(request.user(), id)
                    .then(hierarchy.forgetCollections(request.deviceKey(), List.copyOf(removed)))
                    .then(hierarchy.advance(request.deviceKey(), current, remaining))
                    .map(key -> WbxmlElement.el(CodePage.FOLDER_HIERARCHY, ROOT)
                            .child("Status", 1)
                            .child("SyncKey", key)
                            .build())
                    .switchIfEmpty(Mono.fromSupplier(() -> FolderHierarchy.refuse(request, ROOT, 9,
                            "sync key advanced concurrently (folder was deleted)")));
        });
    }

    private static int status(MailStoreException.Kind kind) {
        return switch (kind) {
            case NOT_ALLOWED -> 3;
            case NOT_FOUND -> 4;
            case ALREADY_EXISTS, INVALID -> 10;
            case UNAVAILABLE, CREDENTIALS_REFUSED -> 6; // MS-ASCMD 2.2.3.177.3/.4/.6: server error, retry
        };
    }
}
