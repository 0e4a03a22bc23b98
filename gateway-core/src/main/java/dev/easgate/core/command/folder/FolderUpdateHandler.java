package dev.easgate.core.command.folder;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * FolderUpdate (MS-ASCMD 2.2.1.6; statuses 2.2.3.177.6): renames and/or moves a folder. SyncKey, ServerId, ParentId
 * and DisplayName are required (Status 10), the key must be current (9). Then: folder not found 4; the Recipient
 * information folder 3; another special folder (Inbox, Drafts ... any type that is not user-created) or a sibling of
 * the new name 2; new parent not found 5; a parent inside the folder itself 10 (nothing fits better); store
 * failure 6. On success the device's list gets the updated folder under the next key.
 */
public final class FolderUpdateHandler implements CommandHandler {
    static final String ROOT = "FolderUpdate";

    private final FolderHierarchy hierarchy;

    public FolderUpdateHandler(FolderHierarchy hierarchy) {
        this.hierarchy = Objects.requireNonNull(hierarchy, "hierarchy");
    }

    @Override
    public EasCommand command() {
        return EasCommand.FOLDER_UPDATE;
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        if (body == null || !body.matches("FolderHierarchy:FolderUpdate")) {
            return Mono.just(CommandResponse.ok(FolderHierarchy.refuse(request, ROOT, 10, "no FolderUpdate body")));
        }
        String key = FolderHierarchy.text(body, "FolderHierarchy:SyncKey");
        String id = FolderHierarchy.text(body, "FolderHierarchy:ServerId");
        String parentId = FolderHierarchy.text(body, "FolderHierarchy:ParentId");
        String name = FolderHierarchy.text(body, "FolderHierarchy:DisplayName");
        if (key == null || id == null || parentId == null || parentId.isEmpty() || name == null || name.isEmpty()) {
            return Mono.just(CommandResponse.ok(FolderHierarchy.refuse(request, ROOT, 10,
                    "SyncKey, ServerId, ParentId or DisplayName missing")));
        }
        return hierarchy.expect(request.deviceKey(), key)
                .flatMap(current -> update(request, current, id, parentId, name))
                .switchIfEmpty(Mono.defer(() -> Mono.just(
                        FolderHierarchy.refuse(request, ROOT, 9, "sync key is not the device's current key"))))
                .onErrorResume(MailStoreException.class,
                        e -> Mono.just(FolderHierarchy.refuse(request, ROOT, status(e.kind()), e)))
                .map(CommandResponse::ok);
    }

    private Mono<WbxmlElement> update(CommandRequest request, HierarchyState current, String id, String parentId,
                                      String name) {
        return hierarchy.folders(request.user()).flatMap(folders -> {
            Folder folder = FolderHierarchy.find(folders, id);
            if (folder == null) {
                return Mono.just(FolderHierarchy.refuse(request, ROOT, 4, "folder not found"));
            }
            if (folder.type() == FolderType.RECIPIENT_INFORMATION_CACHE) {
                return Mono.just(FolderHierarchy.refuse(request, ROOT, 3, "Recipient information folder"));
            }
            if (!folder.type().userCreatable()) {
                return Mono.just(FolderHierarchy.refuse(request, ROOT, 2, "special folder"));
            }
            if (!parentId.equals(Folder.ROOT) && FolderHierarchy.find(folders, parentId) == null) {
                return Mono.just(FolderHierarchy.refuse(request, ROOT, 5, "parent not found"));
            }
            if (FolderHierarchy.subtree(folders, id).contains(parentId)) {
                return Mono.just(FolderHierarchy.refuse(request, ROOT, 10, "parent inside the folder itself"));
            }
            boolean sameName = folder.name().equalsIgnoreCase(name) && folder.parentId().equals(parentId);
            if (!sameName && FolderCreateHandler.siblingNamed(folders, parentId, name)) {
                return Mono.just(FolderHierarchy.refuse(request, ROOT, 2, "a folder of that name exists"));
            }
            return hierarchy.store().updateFolder(request.user(), id, parentId, name)
                    .flatMap(updated -> hierarchy.advance(request.deviceKey(), current,
                                    FolderHierarchy.withFolder(current.folders(), updated))
                            .map(key -> WbxmlElement.el(CodePage.FOLDER_HIERARCHY, ROOT)
                                    .child("Status", 1)
                                    .child("SyncKey", key)
                                    .build())
                            .switchIfEmpty(Mono.fromSupplier(() -> FolderHierarchy.refuse(request, ROOT, 9,
                                    "sync key advanced concurrently (folder was updated)"))));
        });
    }

    private static int status(MailStoreException.Kind kind) {
        return switch (kind) {
            case ALREADY_EXISTS, NOT_ALLOWED -> 2;
            case NOT_FOUND -> 4;
            case INVALID -> 10;
            case UNAVAILABLE, CREDENTIALS_REFUSED -> 6; // MS-ASCMD 2.2.3.177.3/.4/.6: server error, retry
        };
    }
}
