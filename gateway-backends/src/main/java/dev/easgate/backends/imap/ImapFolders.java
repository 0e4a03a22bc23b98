package dev.easgate.backends.imap;

import static dev.easgate.backends.imap.ImapCommands.expunge;
import static dev.easgate.backends.imap.ImapCommands.failureKinds;

import dev.easgate.backends.imap.FolderList.Entry;
import dev.easgate.backends.imap.FolderList.Foreign;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxDecoder;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.ListInfo;
import org.eclipse.angus.mail.imap.protocol.Namespaces;
import org.eclipse.angus.mail.imap.protocol.Namespaces.Namespace;

/**
 * A user's folder hierarchy: one LIST (with SPECIAL-USE and LIST-STATUS ids) cached for a short while per user,
 * and the folder commands (CREATE, RENAME, DELETE, emptying). Blocking: the facade runs it on its scheduler.
 *
 * <p>Folders other users share (RFC 2342 other users' and shared namespaces) come with the user's MYRIGHTS (RFC
 * 4314). An IMAP session keeps the view of those namespaces it had when it first listed them (Dovecot reads its
 * {@code acl_shared_dict} once per session), so {@link #hierarchy} lists on a session opened after every earlier
 * one is retired ({@link ImapConnections#renew}): a folder shared while the phone was connected shows in the next
 * FolderSync.
 */
final class ImapFolders {
    private static final Duration FOLDER_CACHE = Duration.ofSeconds(30);
    private static final Pattern MAILBOXID = Pattern.compile("(?:MAILBOXID \\(|X-GUID )([A-Za-z0-9_-]+)");

    private final ImapConnections connections;
    private final Map<String, FolderList> cache = new ConcurrentHashMap<>();
    /** Whether the server answers Dovecot's X-GUID status item (tried until it refuses once). */
    private volatile boolean xGuid = true;
    /** The server's foreign namespaces, asked once (they are the server's configuration); null before the first. */
    private volatile Foreign namespaces;

    ImapFolders(ImapConnections connections) {
        this.connections = connections;
    }

    List<Folder> folders(String user) {
        return list(user, true).folders();
    }

    /**
     * The folders as FolderSync must see them: on a server with other users' or shared namespaces, listed on a new
     * session, and the user's older sessions are not reused (their view of those namespaces is the one they had when
     * they first listed them). Costs one login then; nothing more on a server without such namespaces.
     */
    List<Folder> hierarchy(String user) {
        Foreign known = namespaces;
        if (known == null) {
            list(user, true); // learns the namespaces
            known = namespaces;
        }
        if (known != null && known.any()) {
            connections.renew(user);
        }
        return list(user, true).folders();
    }

    /** The listed folder with this id (a list at most {@link #FOLDER_CACHE} old); NOT_FOUND when there is none. */
    Entry require(String user, String folderId) {
        return list(user, false).require(folderId);
    }

    Folder create(String user, String parentId, String name, FolderType type) {
        if (type.itemClass() != ItemClass.EMAIL) {
            throw new MailStoreException(Kind.INVALID, "an IMAP store holds mail folders only, not " + type);
        }
        FolderList list = list(user, false);
        String parentName = parentId.equals(Folder.ROOT) ? null : list.require(parentId).imapName();
        checkName(name, list.separator());
        String full = parentName == null ? name : parentName + list.separator() + name;
        if (list.byName(full).isPresent()) {
            throw new MailStoreException(Kind.ALREADY_EXISTS, "folder " + full + " exists");
        }
        connections.run(user, p -> {
            failureKinds(() -> p.create(full));
            return null;
        });
        return list(user, true).byName(full).orElseThrow(() -> new MailStoreException(Kind.UNAVAILABLE,
                "created folder " + full + " is not listed")).folder();
    }

    Folder update(String user, String folderId, String newParentId, String newName) {
        FolderList list = list(user, false);
        Entry entry = requireOrdinary(list, folderId);
        String parentName = null;
        if (!newParentId.equals(Folder.ROOT)) {
            Entry parent = list.require(newParentId);
            if (parent.id().equals(folderId) || parent.imapName().startsWith(entry.imapName() + list.separator())) {
                throw new MailStoreException(Kind.INVALID, "a folder cannot move below itself");
            }
            parentName = parent.imapName();
        }
        checkName(newName, list.separator());
        String full = parentName == null ? newName : parentName + list.separator() + newName;
        if (!full.equals(entry.imapName())) {
            if (list.byName(full).isPresent()) {
                throw new MailStoreException(Kind.ALREADY_EXISTS, "folder " + full + " exists");
            }
            connections.run(user, p -> {
                failureKinds(() -> p.rename(entry.imapName(), full));
                return null;
            });
        }
        FolderList after = list(user, true);
        return after.byId(folderId).or(() -> after.byName(full)).orElseThrow(() -> new MailStoreException(
                Kind.UNAVAILABLE, "renamed folder " + full + " is not listed")).folder();
    }

    void delete(String user, String folderId) {
        FolderList list = list(user, false);
        Entry entry = requireOrdinary(list, folderId);
        List<Entry> doomed = new ArrayList<>(list.descendants(entry));
        doomed.add(entry);
        deleteDeepestFirst(user, doomed);
    }

    /** Expunges every message of the folder, and deletes its subfolders when asked. */
    void empty(String user, String folderId, boolean deleteSubfolders) {
        FolderList list = list(user, false);
        Entry entry = list.require(folderId);
        entry.rights().require('t', entry.imapName(), "emptying a folder");
        entry.rights().require('e', entry.imapName(), "emptying a folder");
        ImapCommands.inMailbox(connections, user, entry.imapName(), true, (p, info) -> {
            if (info.total > 0) {
                expunge(p, "1:*");
            }
            return null;
        });
        if (deleteSubfolders) {
            List<Entry> children = list.descendants(entry);
            if (!children.isEmpty()) {
                deleteDeepestFirst(user, children);
            }
        }
    }

    /** The cached list of any age, or a new one: for a poll that must not cost a LIST. */
    FolderList anyAge(String user) {
        FolderList cached = cache.get(user);
        return cached != null ? cached : list(user, false);
    }

    /** The cached list of any age, if there is one (never a LIST). */
    Optional<FolderList> cached(String user) {
        return Optional.ofNullable(cache.get(user));
    }

    /** Drops the user's cached list (a folder was renamed or deleted meanwhile): the next look lists anew. */
    void forget(String user) {
        cache.remove(user);
    }

    private static Entry requireOrdinary(FolderList list, String folderId) {
        Entry entry = list.require(folderId);
        if (entry.shared()) {
            throw new MailStoreException(Kind.NOT_ALLOWED, "another user's folder " + entry.imapName());
        }
        if (entry.special()) {
            throw new MailStoreException(Kind.NOT_ALLOWED, "special folder " + entry.imapName());
        }
        return entry;
    }

    private void deleteDeepestFirst(String user, List<Entry> doomed) {
        List<Entry> ordered = new ArrayList<>(doomed);
        ordered.sort(Comparator.comparingInt((Entry e) -> e.imapName().length()).reversed());
        connections.run(user, p -> {
            for (Entry e : ordered) {
                failureKinds(() -> p.delete(e.imapName()));
            }
            return null;
        });
        forget(user);
    }

    private FolderList list(String user, boolean fresh) {
        FolderList cached = cache.get(user);
        if (!fresh && cached != null && System.nanoTime() - cached.loadedAt() < FOLDER_CACHE.toNanos()) {
            return cached;
        }
        FolderList loaded = connections.run(user, this::loadFolders);
        cache.put(user, loaded);
        return loaded;
    }

    /**
     * One LIST with SPECIAL-USE and every mailbox's stable id through LIST-STATUS: the RFC 8474 MAILBOXID with
     * OBJECTID, else Dovecot's X-GUID status item (Dovecot 2.3 has no OBJECTID); a server that knows neither
     * gets folder ids hashed from the names.
     */
    private FolderList loadFolders(IMAPProtocol p) throws ProtocolException {
        boolean listStatus = p.hasCapability("LIST-STATUS");
        String idItem = p.hasCapability("OBJECTID") ? "MAILBOXID" : xGuid ? "X-GUID" : null;
        boolean specialUse = p.hasCapability("SPECIAL-USE");
        List<String> returns = new ArrayList<>();
        if (specialUse) {
            returns.add("SPECIAL-USE");
        }
        if (listStatus && idItem != null) {
            returns.add("STATUS (" + idItem + ")");
        }
        String command = "LIST \"\" \"*\"" + (returns.isEmpty() ? "" : " RETURN (" + String.join(" ", returns) + ")");
        Response[] r = p.command(command, null);
        Response result = r[r.length - 1];
        if ((result.isBAD() || result.isNO()) && "X-GUID".equals(idItem)) {
            xGuid = false; // not a Dovecot: names it is
            return loadFolders(p);
        }
        p.handleResult(result);
        List<ListInfo> infos = new ArrayList<>();
        Map<String, String> ids = new LinkedHashMap<>();
        for (Response response : r) {
            if (!(response instanceof IMAPResponse ir) || !ir.isUnTagged()) {
                continue;
            }
            if (ir.keyEquals("LIST")) {
                infos.add(new ListInfo(ir));
            } else if (ir.keyEquals("STATUS")) {
                String name = BASE64MailboxDecoder.decode(ir.readAtomString());
                Matcher m = MAILBOXID.matcher(ir.toString());
                if (m.find()) {
                    ids.put(name, m.group(1));
                }
            }
        }
        char separator = '/';
        for (ListInfo info : infos) {
            if (info.separator != '\0') {
                separator = info.separator;
                break;
            }
        }
        Foreign foreign = namespaces(p);
        Map<String, ImapRights> rights = new LinkedHashMap<>();
        if (foreign.any() && p.hasCapability("ACL")) {
            // RFC 4314 section 3.8: one MYRIGHTS per foreign folder (Dovecot 2.3 has no LIST-MYRIGHTS, RFC 8440)
            for (ListInfo info : infos) {
                if (foreign.foreign(info.name) && info.canOpen) {
                    rights.put(info.name, myRights(p, info.name));
                }
            }
        }
        return FolderList.of(infos, ids, separator, foreign, rights);
    }

    private Foreign namespaces(IMAPProtocol p) throws ProtocolException {
        Foreign known = namespaces;
        if (known != null) {
            return known;
        }
        if (!p.hasCapability("NAMESPACE")) {
            known = Foreign.NONE;
        } else {
            Namespaces answer = p.namespace();
            known = new Foreign(prefixes(answer.otherUsers), prefixes(answer.shared));
        }
        namespaces = known;
        return known;
    }

    private static List<String> prefixes(Namespace[] namespaces) {
        // an empty prefix would make every folder foreign: only a server whose personal namespace has a prefix
        // may give one, and this gateway then lists nothing as the user's own
        return namespaces == null ? List.of() : Stream.of(namespaces).map(n -> n.prefix)
                .filter(prefix -> prefix != null && !prefix.isEmpty()).toList();
    }

    private static ImapRights myRights(IMAPProtocol p, String name) throws ProtocolException {
        try {
            return new ImapRights(p.myRights(name).toString());
        } catch (CommandFailedException e) {
            return new ImapRights(""); // vanished since the LIST, or not even lookup: not offered
        }
    }

    private static void checkName(String name, char separator) {
        if (name.isBlank() || name.indexOf(separator) >= 0 || name.chars().anyMatch(c -> c < 0x20)
                || name.contains("*") || name.contains("%")) {
            throw new MailStoreException(Kind.INVALID, "not a valid folder name: '" + name + "'");
        }
    }
}
