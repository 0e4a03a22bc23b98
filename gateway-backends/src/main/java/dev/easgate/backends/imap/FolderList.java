package dev.easgate.backends.imap;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.imap.protocol.ListInfo;

/**
 * A user's folders as one LIST saw them. A folder's id is its RFC 8474 MAILBOXID when the server has OBJECTID, else
 * Dovecot's mailbox GUID (the X-GUID status item; Dovecot 2.3 has no OBJECTID), so it survives renames; a server with
 * neither gets a hash of the folder's name, and a rename then changes the id (the device sees a delete and an add).
 *
 * <p>Folders of the other users' and the shared namespaces (RFC 2342) that the user may read are listed too, as
 * user-created mail folders (FolderSync type 12) named after their owner ({@code alice/Projects}); they never take a
 * special type, the phone may not rename or delete them, and their {@link ImapRights} decide which item writes pass.
 */
record FolderList(List<Entry> entries, char separator, long loadedAt) {
    private static final Pattern OBJECT_ID = Pattern.compile("[A-Za-z0-9_-]{1,40}");

    /**
     * A listed IMAP folder.
     *
     * @param special a special-use folder, or another user's: the phone may not rename or delete it
     * @param shared  in the other users' or the shared namespace
     * @param rights  the user's rights in it ({@link ImapRights#ALL} for the user's own folders)
     */
    record Entry(String id, String imapName, Folder folder, boolean special, boolean shared, ImapRights rights) {
    }

    /**
     * The prefixes of the other users' and the shared (public) namespaces (RFC 2342 NAMESPACE), empty when the server
     * has neither.
     */
    record Foreign(List<String> otherUsers, List<String> shared) {
        static final Foreign NONE = new Foreign(List.of(), List.of());

        Foreign {
            otherUsers = List.copyOf(otherUsers);
            shared = List.copyOf(shared);
        }

        /** Whether the server has folders outside the user's own (their views need a fresh session, see README). */
        boolean any() {
            return !otherUsers.isEmpty() || !shared.isEmpty();
        }

        boolean foreign(String name) {
            return otherUsers.stream().anyMatch(name::startsWith) || shared.stream().anyMatch(name::startsWith);
        }

        /** A top-level foreign folder's display name: its owner and path for another user's ("alice/Projects"). */
        String display(String name) {
            for (String prefix : otherUsers) {
                if (name.startsWith(prefix) && name.length() > prefix.length()) {
                    return name.substring(prefix.length());
                }
            }
            return name; // a public folder keeps its namespace ("Public/Announcements")
        }
    }

    static FolderList of(List<ListInfo> infos, Map<String, String> objectIds, char separator) {
        return of(infos, objectIds, separator, Foreign.NONE, Map.of());
    }

    /**
     * @param rights the user's rights in foreign folders by name (a foreign folder without an entry: all, the server
     *               had no ACL); one without 'r' is left out
     */
    static FolderList of(List<ListInfo> infos, Map<String, String> objectIds, char separator, Foreign namespaces,
                         Map<String, ImapRights> rights) {
        TreeMap<String, ListInfo> byName = new TreeMap<>((a, b) -> {
            boolean ai = a.equalsIgnoreCase("INBOX");
            boolean bi = b.equalsIgnoreCase("INBOX");
            if (ai != bi) {
                return ai ? -1 : 1;
            }
            return a.compareTo(b);
        });
        for (ListInfo info : infos) {
            List<String> attrs = List.of(info.attrs == null ? new String[0] : info.attrs);
            boolean selectable = info.canOpen && attrs.stream().noneMatch(a -> a.equalsIgnoreCase("\\NonExistent")
                    || a.equalsIgnoreCase("\\Noselect"));
            boolean readable = !namespaces.foreign(info.name)
                    || rights.getOrDefault(info.name, ImapRights.ALL).mayRead();
            if (selectable && readable) {
                byName.put(info.name, info);
            }
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        Set<FolderType> taken = EnumSet.noneOf(FolderType.class);
        // special-use attributes first, names second: one folder per special type
        Map<String, FolderType> types = new LinkedHashMap<>();
        for (ListInfo info : byName.values()) {
            FolderType type = namespaces.foreign(info.name) ? null : specialUse(info);
            if (type != null && taken.add(type)) {
                types.put(info.name, type);
            }
        }
        for (ListInfo info : byName.values()) {
            if (!types.containsKey(info.name) && !namespaces.foreign(info.name)) {
                FolderType type = byWellKnownName(info.name);
                if (type != null && taken.add(type)) {
                    types.put(info.name, type);
                }
            }
        }
        for (ListInfo info : byName.values()) {
            String name = info.name;
            String objectId = objectIds.get(name);
            String id = objectId != null && OBJECT_ID.matcher(objectId).matches() ? objectId : hashId(
                    objectId != null ? objectId : name);
            String parentId = Folder.ROOT;
            int cut = name.lastIndexOf(separator);
            while (cut > 0) {
                Entry parent = entries.get(name.substring(0, cut));
                if (parent != null) {
                    parentId = parent.id();
                    break;
                }
                cut = name.lastIndexOf(separator, cut - 1);
            }
            boolean foreign = namespaces.foreign(name);
            String display = foreign && parentId.equals(Folder.ROOT) ? namespaces.display(name)
                    : cut > 0 || name.lastIndexOf(separator) > 0
                    ? name.substring(name.lastIndexOf(separator) + 1) : name;
            FolderType type = types.getOrDefault(name, FolderType.USER_MAIL);
            boolean special = foreign || type != FolderType.USER_MAIL || hasSpecialUse(info);
            ImapRights granted = foreign ? rights.getOrDefault(name, ImapRights.ALL) : ImapRights.ALL;
            entries.put(name, new Entry(id, name, new Folder(id, parentId,
                    type == FolderType.INBOX ? "Inbox" : display, type), special, foreign, granted));
        }
        return new FolderList(List.copyOf(entries.values()), separator, System.nanoTime());
    }

    List<Folder> folders() {
        return entries.stream().map(Entry::folder).toList();
    }

    Optional<Entry> byId(String id) {
        return entries.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    Optional<Entry> byName(String name) {
        return entries.stream().filter(e -> e.imapName().equals(name)
                || (name.equalsIgnoreCase("INBOX") && e.imapName().equalsIgnoreCase("INBOX"))).findFirst();
    }

    Entry require(String id) {
        return byId(id).orElseThrow(() -> new MailStoreException(Kind.NOT_FOUND, "no folder " + id));
    }

    List<Entry> descendants(Entry parent) {
        String prefix = parent.imapName() + separator;
        return entries.stream().filter(e -> e.imapName().startsWith(prefix)).toList();
    }

    private static FolderType specialUse(ListInfo info) {
        if (info.name.equalsIgnoreCase("INBOX")) {
            return FolderType.INBOX;
        }
        for (String attr : info.attrs == null ? new String[0] : info.attrs) {
            switch (attr.toLowerCase(Locale.ROOT)) {
                case "\\drafts" -> {
                    return FolderType.DRAFTS;
                }
                case "\\sent" -> {
                    return FolderType.SENT_ITEMS;
                }
                case "\\trash" -> {
                    return FolderType.DELETED_ITEMS;
                }
                default -> { }
            }
        }
        return null;
    }

    private static boolean hasSpecialUse(ListInfo info) {
        for (String attr : info.attrs == null ? new String[0] : info.attrs) {
            String a = attr.toLowerCase(Locale.ROOT);
            if (a.equals("\\junk") || a.equals("\\archive") || a.equals("\\drafts") || a.equals("\\sent")
                    || a.equals("\\trash") || a.equals("\\all") || a.equals("\\flagged")) {
                return true;
            }
        }
        return false;
    }

    private static FolderType byWellKnownName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "drafts" -> FolderType.DRAFTS;
            case "sent", "sent items", "sent messages", "sent mail" -> FolderType.SENT_ITEMS;
            case "trash", "deleted items", "deleted messages" -> FolderType.DELETED_ITEMS;
            default -> null;
        };
    }

    private static String hashId(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "h" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
