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
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * FolderCreate (MS-ASCMD 2.2.1.3; statuses 2.2.3.177.3): SyncKey, ParentId, DisplayName and Type are required
 * (Status 10 when one is missing, empty or, for Type, not a user-creatable folder type of 2.2.3.186.3), the key
 * must be the device's current one (Status 9). Then: parent not found 5, parent is the Recipient information
 * folder 3, a sibling of that name 2, store failure 6. On success the folder joins the device's list under the next
 * key, answered with SyncKey and ServerId.
 */
public final class FolderCreateHandler implements CommandHandler {
    static final String ROOT = "FolderCreate";

    private final FolderHierarchy hierarchy;

    public FolderCreateHandler(FolderHierarchy hierarchy) {
        this.hierarchy = Objects.requireNonNull(hierarchy, "hierarchy");
    }

    @Override
    public EasCommand command() {
        return EasCommand.FOLDER_CREATE;
    }

    /** The parsed request. */
    private record Create(String syncKey, String parentId, String name, FolderType type) {
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        if (body == null || !body.matches("FolderHierarchy:FolderCreate")) {
            return ok(FolderHierarchy.refuse(request, ROOT, 10, "no FolderCreate body"));
        }
        String key = FolderHierarchy.text(body, "FolderHierarchy:SyncKey");
        String parentId = FolderHierarchy.text(body, "FolderHierarchy:ParentId");
        String name = FolderHierarchy.text(body, "FolderHierarchy:DisplayName");
        String typeCode = FolderHierarchy.text(body, "FolderHierarchy:Type");
        if (key == null || parentId == null || parentId.isEmpty() || name == null || name.isEmpty()
                || typeCode == null) {
            return ok(FolderHierarchy.refuse(request, ROOT, 10, "SyncKey, ParentId, DisplayName or Type missing"));
        }
        FolderType type = userType(typeCode);
        if (type == null) {
            return ok(FolderHierarchy.refuse(request, ROOT, 10, "Type " + typeCode + " is not user-creatable"));
        }
        Create create = new Create(key, parentId, name, type);
        return hierarchy.expect(request.deviceKey(), key)
                .flatMap(current -> create(request, current, create))
                .switchIfEmpty(Mono.defer(() -> Mono.just(
                        FolderHierarchy.refuse(request, ROOT, 9, "sync key is not the device's current key"))))
                .onErrorResume(MailStoreException.class,
                        e -> Mono.just(FolderHierarchy.refuse(request, ROOT, status(e.kind()), e)))
                .map(CommandResponse::ok);
    }

    private Mono<WbxmlElement> create(CommandRequest request, HierarchyState current, Create create) {
        return hierarchy.folders(request.user()).flatMap(folders -> {
            if (!create.parentId().equals(Folder.ROOT)) {
                Folder parent = FolderHierarchy.find(folders, create.parentId());
                if (parent == null) {
                    return Mono.just(FolderHierarchy.refuse(request, ROOT, 5, "parent not found"));
                }
                if (parent.type() == FolderType.RECIPIENT_INFORMATION_CACHE) {
                    return Mono.just(FolderHierarchy.refuse(request, ROOT, 3, "parent is a special folder"));
                }
            }
            if (siblingNamed(folders, create.parentId(), create.name())) {
                return Mono.just(FolderHierarchy.refuse(request, ROOT, 2, "a folder of that name exists"));
            }
            return hierarchy.store().createFolder(request.user(), create.parentId(), create.name(), create.type())
                    .flatMap(folder -> hierarchy.advance(request.deviceKey(), current,
                                    FolderHierarchy.withFolder(current.folders(), folder))
                            .map(key -> WbxmlElement.el(CodePage.FOLDER_HIERARCHY, ROOT)
                                    .child("Status", 1)
                                    .child("SyncKey", key)
                                    .child("ServerId", folder.id())
                                    .build())
                            .switchIfEmpty(Mono.fromSupplier(() -> FolderHierarchy.refuse(request, ROOT, 9,
                                    "sync key advanced concurrently (folder " + folder.id() + " was created)"))));
        });
    }

    static boolean siblingNamed(List<Folder> folders, String parentId, String name) {
        return folders.stream().anyMatch(f -> f.parentId().equals(parentId) && f.name().equalsIgnoreCase(name));
    }

    private static FolderType userType(String code) {
        try {
            FolderType type = FolderType.ofCode(Integer.parseInt(code));
            return type.userCreatable() ? type : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int status(MailStoreException.Kind kind) {
        return switch (kind) {
            case ALREADY_EXISTS -> 2;
            case NOT_ALLOWED -> 3;
            case NOT_FOUND -> 5;
            case INVALID -> 10;
            case UNAVAILABLE, CREDENTIALS_REFUSED -> 6; // MS-ASCMD 2.2.3.177.3/.4/.6: server error, retry
        };
    }

    private static Mono<CommandResponse> ok(WbxmlElement body) {
        return Mono.just(CommandResponse.ok(body));
    }
}
