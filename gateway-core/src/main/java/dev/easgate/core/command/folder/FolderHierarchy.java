package dev.easgate.core.command.folder;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.StoreFailures;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the four folder commands share: the hierarchy sync key (MS-ASCMD 2.2.3.177.2 / 2.2.3.166.1: a decimal
 * counter, "0" asks for everything), the check that a request carries the device's current key (status 9 otherwise),
 * and the compare-and-set advance after a change.
 *
 * <p>FolderCreate, FolderUpdate and FolderDelete apply the device's own change to the folder list the device holds
 * and store it with the new key, so the next FolderSync does not report that change back; changes made elsewhere
 * in the meantime are still reported, because the list is the device's, not the store's.
 */
public final class FolderHierarchy {
    /** The longest sync key accepted (the counter is a long). */
    private static final int MAX_KEY_LENGTH = 18;
    private static final Logger LOG = LoggerFactory.getLogger(FolderHierarchy.class);

    private final MailStore store;
    private final StateStore state;

    public FolderHierarchy(MailStore store, StateStore state) {
        this.store = Objects.requireNonNull(store, "store");
        this.state = Objects.requireNonNull(state, "state");
    }

    public MailStore store() {
        return store;
    }

    public StateStore state() {
        return state;
    }

    /** Whether {@code key} is a sync key this gateway could have issued, or "0". */
    public static boolean isWellFormedKey(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            return false;
        }
        if (!key.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        return key.equals("0") || key.charAt(0) != '0';
    }

    /** The key after {@code key}. */
    public static String next(String key) {
        return Long.toString(Long.parseLong(key) + 1);
    }

    /**
     * The user's folders, parents first, as a FolderSync must see them ({@link MailStore#hierarchy}: folders shared
     * with the user since the store's sessions opened included).
     */
    public Mono<List<Folder>> folders(String user) {
        return store.hierarchy(user).collectList();
    }

    /**
     * The device's hierarchy state when {@code syncKey} is its current key; empty when it is not (or the device has
     * none yet): the caller answers status 9 and the device restarts from key 0.
     */
    public Mono<HierarchyState> expect(DeviceKey device, String syncKey) {
        if (!isWellFormedKey(syncKey) || syncKey.equals("0")) {
            return Mono.empty();
        }
        return state.hierarchy(device).filter(current -> current.syncKey().equals(syncKey));
    }

    /**
     * Stores the device's folder list after its own change under the next key, compare-and-set against
     * {@code current}; emits the new key, or nothing when another request advanced the key first (the change is
     * applied in the store, and the caller answers status 9 so that a full FolderSync brings the device up to date).
     * A replayed FolderSync response does not survive this: the device has moved past that key.
     */
    public Mono<String> advance(DeviceKey device, HierarchyState current, List<Folder> folders) {
        String key = next(current.syncKey());
        HierarchyState next = new HierarchyState(key, folders, "", new byte[0]);
        return state.replaceHierarchy(device, current.syncKey(), next)
                .flatMap(stored -> stored ? Mono.just(key) : Mono.empty());
    }

    /** Forgets the collection state of each folder (its items are gone with it). */
    public Mono<Void> forgetCollections(DeviceKey device, List<String> folderIds) {
        return Flux.fromIterable(folderIds).concatMap(id -> state.removeCollection(device, id)).then();
    }

    // ---- the device's folder list -------------------------------------------------------------------------------

    /** {@code folders} with {@code folder} added, or replacing the one with its id. */
    public static List<Folder> withFolder(List<Folder> folders, Folder folder) {
        List<Folder> result = new ArrayList<>(folders.size() + 1);
        boolean replaced = false;
        for (Folder existing : folders) {
            if (existing.id().equals(folder.id())) {
                result.add(folder);
                replaced = true;
            } else {
                result.add(existing);
            }
        }
        if (!replaced) {
            result.add(folder);
        }
        return result;
    }

    /** The ids of {@code rootId} and every folder below it in {@code folders}. */
    public static Set<String> subtree(List<Folder> folders, String rootId) {
        Set<String> ids = new HashSet<>();
        ids.add(rootId);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Folder folder : folders) {
                if (ids.contains(folder.parentId()) && ids.add(folder.id())) {
                    grew = true;
                }
            }
        }
        return ids;
    }

    /** {@code folders} without the folders whose ids are given. */
    public static List<Folder> without(List<Folder> folders, Set<String> ids) {
        return folders.stream().filter(folder -> !ids.contains(folder.id())).toList();
    }

    public static Folder find(List<Folder> folders, String id) {
        for (Folder folder : folders) {
            if (folder.id().equals(id)) {
                return folder;
            }
        }
        return null;
    }

    // ---- responses ----------------------------------------------------------------------------------------------

    /** {@code <root><Status>status</Status></root>} on the FolderHierarchy page. */
    static WbxmlElement status(String root, int status) {
        return WbxmlElement.el(CodePage.FOLDER_HIERARCHY, root).child("Status", status).build();
    }

    /** Logs a refused folder command in one line and answers its status. */
    /** A refusal for a store failure; a refused login is logged by the store once, here only at DEBUG. */
    static WbxmlElement refuse(CommandRequest request, String root, int status, MailStoreException e) {
        if (StoreFailures.credentialsRefused(e)) {
            LOG.debug("{} status {} for user={} device={}: {}", root, status, request.user(),
                    request.query().deviceId(), e.getMessage());
            return status(root, status);
        }
        return refuse(request, root, status, "store failed: " + e.kind());
    }

    static WbxmlElement refuse(CommandRequest request, String root, int status, String reason) {
        LOG.info("{} status {} for user={} device={}: {}", root, status, request.user(), request.query().deviceId(),
                reason);
        return status(root, status);
    }

    /** The trimmed text of a child, or {@code null}. */
    static String text(WbxmlElement parent, String name) {
        String value = parent.childText(name);
        return value == null ? null : value.strip();
    }
}
