package dev.easgate.backends.dav;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.easgate.backends.logging.LogText;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import dev.easgate.wbxml.WbxmlElement;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Calendars, contacts and tasks on a CalDAV/CardDAV server (RFC 4791, 6352), one user's collections under
 * {@code <dav.url><user>/} (the principal; its calendar-home-set and addressbook-home-set are followed).
 *
 * <p>Ids: a collection's folder id is {@code d} + 10 hex digits of the SHA-256 of its path (stable, never a mail
 * folder id); an item id is the folder id, {@code :}, and the resource name (or {@code ~} + a hash when the name
 * is not URL-safe or too long).
 *
 * <p>Changes: sync-collection (RFC 6578) from the last sync token. An item's version ({@link ItemVersion#modSeq},
 * {@link Item#modSeq}) is {@link #version} of its resource name and ETag: the same on every node and after every
 * restart, and another one when the content changes (a strong ETag is unique across all versions of a resource,
 * RFC 7232 2.1). The order of changes is this node's own business: each ETag the node sees takes the next number
 * of its hybrid clock (at least the wall clock in microseconds, always growing); {@code changesSince} filters by
 * that number and issues the highest as the watermark. A watermark this node did not issue (a restart, a device
 * moved from another node, a user evicted from the cache) answers {@code resetRequired}: the core compares the
 * whole folder, and an item whose ETag did not change has the version the device holds, so nothing is sent again.
 *
 * <p>Writes: PUT with {@code If-None-Match: *} (create) or {@code If-Match} the ETag this node last saw; a 412
 * (changed on the server meanwhile) is NOT_ALLOWED, which Sync answers with status 6 for that change: the server's
 * version wins and reaches the phone on its next Sync, nothing is overwritten silently.
 *
 * <p>Logins: every request for a user goes with that user's {@link DavCredentials} (by default their own login, or
 * a service account), and everything the node keeps is kept per user. A login the server refuses (401, or 403 on
 * the principal) fails with {@link Kind#CREDENTIALS_REFUSED} and is logged once per user until a request of theirs
 * succeeds again.
 *
 * <p>Shared collections: the ones a server lists in the user's own home (Nextcloud's and SOGo's shares and
 * subscriptions) are the user's folders like any other; with {@code otherPrincipals} (servers whose sharing is only
 * rights on another user's collections, like Radicale's rights file) the principals the DAV root lists to the user
 * are followed too, and their collections the user may read become folders named after their owner
 * ({@code alice/Calendar}, a user-created type). A collection whose {@code DAV:current-user-privilege-set} (RFC 3744
 * 5.4) lacks write is read-only: every write is NOT_ALLOWED before it is sent (Sync then answers status 6 and sends
 * the item back).
 *
 * <p>Every call is a non-blocking HTTP exchange ({@link DavClient}); the store keeps per-node caches only, for at
 * most {@code maxUsers} users, each forgotten {@code idle} after their last request: such a user's next request
 * discovers the collections again, and a device's watermark the node no longer knows answers
 * {@code resetRequired}.
 */
public final class DavStore implements MailStore {
    private static final Logger LOG = LoggerFactory.getLogger(DavStore.class);

    private final DavClient client;
    private final DavCredentials credentials;
    private final URI base;
    private final String server;
    private final Clock clock;
    private final boolean otherPrincipals;
    private final Cache<String, UserState> users;
    private long lastSeq;

    /** What this node keeps of one user: their collections, and whether their login was last refused. */
    private static final class UserState {
        final Map<String, Coll> colls = new ConcurrentHashMap<>();
        final AtomicBoolean refused = new AtomicBoolean();
    }

    /** A collection as this node knows it, for the user it belongs to. */
    private static final class Coll {
        final String user;
        final String path;
        volatile Folder folder;
        /** The listing gave the user no write privilege (RFC 3744 5.4). */
        volatile boolean readOnly;
        final Map<String, Entry> entries = new LinkedHashMap<>();
        final Map<String, Long> vanished = new HashMap<>();
        final NavigableSet<Long> issued = new ConcurrentSkipListSet<>();
        String syncToken;
        long highest;

        Coll(String user, String path, Folder folder) {
            this.user = user;
            this.path = path;
            this.folder = folder;
        }
    }

    /**
     * A resource as this node saw it last.
     *
     * @param seq  this node's number for the first time it saw this ETag (the order of changes, the watermark)
     * @param item its content, whose {@code modSeq} is the ETag's {@link #version}
     */
    private record Entry(String etag, long seq, Item item) {
    }

    /**
     * The version of a resource at an ETag, a non-negative 63-bit number: the first 8 bytes of the SHA-256 of the
     * resource name and the ETag. The name is part of it because an ETag is unique only among the versions of one
     * resource (RFC 7232 2.1); the weak prefix is kept as the server sent it.
     */
    static long version(String name, String etag) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((name + "\n" + etag).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (digest[i] & 0xff);
            }
            return Math.max(1, v & Long.MAX_VALUE);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param maxUsers most users whose collections the node keeps
     * @param idle     a user's state is forgotten this long after their last request
     */
    public DavStore(DavClient client, DavCredentials credentials, URI base, Clock clock, int maxUsers, Duration idle) {
        this(client, credentials, base, clock, maxUsers, idle, false);
    }

    /**
     * @param otherPrincipals also list the collections of the other principals the DAV root shows the user (with
     *                        the user's own login only: a service account would see everyone's)
     */
    public DavStore(DavClient client, DavCredentials credentials, URI base, Clock clock, int maxUsers, Duration idle,
                    boolean otherPrincipals) {
        this(client, credentials, base, clock, maxUsers, idle, Ticker.systemTicker(), otherPrincipals);
    }

    /** With the clock of expiry given (tests). */
    DavStore(DavClient client, DavCredentials credentials, URI base, Clock clock, int maxUsers, Duration idle,
             Ticker ticker) {
        this(client, credentials, base, clock, maxUsers, idle, ticker, false);
    }

    private DavStore(DavClient client, DavCredentials credentials, URI base, Clock clock, int maxUsers,
                     Duration idle, Ticker ticker, boolean otherPrincipals) {
        this.otherPrincipals = otherPrincipals;
        this.client = Objects.requireNonNull(client);
        this.credentials = Objects.requireNonNull(credentials);
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.server = URI.create(this.base.getScheme() + "://" + this.base.getRawAuthority()
                .substring(this.base.getRawAuthority().indexOf('@') + 1) + this.base.getRawPath()).toString();
        this.clock = clock;
        // eviction runs on the calling thread: no pool; an evicted user's next request rediscovers
        this.users = Caffeine.newBuilder().maximumSize(maxUsers).expireAfterAccess(idle).ticker(ticker)
                .executor(Runnable::run).build();
    }

    private UserState state(String user) {
        return users.get(user, u -> new UserState());
    }

    // ---- requests, each as the user it is for ----------------------------------------------------------------------

    private DavCredentials.Login login(String user) {
        return credentials.login(user).orElseThrow(() -> new MailStoreException(Kind.UNAVAILABLE,
                "no DAV login for this user on this node (their session has ended)"));
    }

    /**
     * Sends a request as {@code user}; a 401 fails with CREDENTIALS_REFUSED (logged once per user until a request
     * of theirs succeeds again).
     */
    private Mono<DavClient.Response> send(String user, String method, URI uri, String depth, String contentType,
                                          String body, String ifMatch, String ifNoneMatch) {
        return Mono.defer(() -> client.send(login(user), method, uri, depth, contentType, body, ifMatch, ifNoneMatch))
                .flatMap(response -> {
                    if (response.status() == 401) {
                        return Mono.error(refused(user, method, response.status()));
                    }
                    if (response.ok()) {
                        accepted(user);
                    }
                    return Mono.just(response);
                });
    }

    private Mono<DavClient.Response> propfind(String user, URI uri, String depth, String body) {
        return send(user, "PROPFIND", uri, depth, "application/xml; charset=utf-8", body, null, null);
    }

    private Mono<DavClient.Response> report(String user, URI uri, String depth, String body) {
        return send(user, "REPORT", uri, depth, "application/xml; charset=utf-8", body, null, null);
    }

    /** The DAV server refused the user's login: one WARN line per user until a request succeeds again. */
    private MailStoreException refused(String user, String method, int status) {
        if (state(user).refused.compareAndSet(false, true)) {
            LOG.warn("DAV server {} refused the login of user={} (HTTP {} to {}): their calendars, contacts and tasks "
                    + "answer errors until it accepts it (is their DAV password the one they log in with?)",
                    server, LogText.escape(user), status, method);
        }
        return new MailStoreException(Kind.CREDENTIALS_REFUSED, "DAV server refused the login (HTTP " + status + ")");
    }

    private void accepted(String user) {
        UserState state = users.getIfPresent(user);
        if (state != null && state.refused.compareAndSet(true, false)) {
            LOG.info("DAV server {} accepts the login of user={} again", server, LogText.escape(user));
        }
    }


    /** The next number of this node's hybrid clock. */
    private synchronized long nextSeq() {
        long now = clock.millis() * 1000;
        lastSeq = Math.max(lastSeq + 1, now);
        return lastSeq;
    }

    /**
     * The next number of this node's hybrid clock after {@code seen}, a number another node (or an earlier run)
     * issued: the clock's receive rule, so that a watermark this node issues is never behind one a device brought.
     */
    private synchronized long nextSeqAfter(long seen) {
        lastSeq = Math.max(lastSeq, seen);
        return nextSeq();
    }

    // ---- discovery ----------------------------------------------------------------------------------------------

    /** The user's principal, {@code <url><principal>/}, the principal name as the user's login gives it. */
    private URI principal(String user) {
        return base.resolve(URLEncoder.encode(login(user).principal(), StandardCharsets.UTF_8).replace("+", "%20")
                + "/");
    }

    private URI uri(String path) {
        return base.resolve(encodePath(path));
    }

    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/", -1)) {
            if (out.length() > 0 || path.startsWith("/")) {
                out.append('/');
            }
            out.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        String s = out.toString();
        return s.startsWith("//") ? s.substring(1) : s;
    }

    private static final String LIST = """
            <?xml version="1.0" encoding="utf-8"?>
            <d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="urn:ietf:params:xml:ns:carddav">
              <d:prop><d:resourcetype/><d:displayname/><c:supported-calendar-component-set/>
                <d:current-user-privilege-set/></d:prop>
            </d:propfind>""";

    private static final String PRINCIPALS = """
            <?xml version="1.0" encoding="utf-8"?>
            <d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>""";

    @Override
    public Flux<Folder> folders(String user) {
        return discover(user).flatMapMany(colls -> Flux.fromIterable(colls.values()).map(c -> c.folder));
    }

    private Mono<Map<String, Coll>> discover(String user) {
        return Mono.defer(() -> discover(user, principal(user)));
    }

    private Mono<Map<String, Coll>> discover(String user, URI principal) {
        return own(user, principal).zipWith(shared(user, principal))
                .map(lists -> apply(user, lists.getT1(), lists.getT2()));
    }

    /**
     * The collections of the other principals the DAV root lists to the user (one PROPFIND of the root, one per such
     * principal), those the user may read; none without {@code otherPrincipals} or with a service account.
     */
    private Mono<List<DavXml.Member>> shared(String user, URI principal) {
        DavCredentials.Login login = login(user);
        if (!otherPrincipals || !login.name().equals(login.principal())) {
            return Mono.just(List.of());
        }
        String own = principal.getPath();
        return propfind(user, base, "1", PRINCIPALS)
                .flatMapMany(response -> response.status() / 100 != 2 ? Flux.empty()
                        : Flux.fromIterable(DavXml.parse(response.body()).members()))
                .map(m -> m.href().endsWith("/") ? m.href() : m.href() + "/")
                .filter(href -> !href.equals(own) && !href.equals(base.getPath()) && href.startsWith(base.getPath()))
                .concatMap(href -> propfind(user, uri(href), "1", LIST)
                        .flatMapIterable(response -> response.status() / 100 != 2 ? List.<DavXml.Member>of()
                                : DavXml.parse(response.body()).members()))
                .filter(m -> m.has("resourcetype", "calendar") || m.has("resourcetype", "addressbook"))
                .sort(Comparator.comparing(DavXml.Member::href))
                .collectList();
    }

    private Mono<List<DavXml.Member>> own(String user, URI principal) {
        return propfind(user, principal, "1", LIST).flatMap(response -> {
            if (response.status() == 404) {
                return send(user, "MKCOL", principal, null, null, null, null, null)
                        .map(r -> DavClient.expectOk(r, "MKCOL principal")).then(Mono.just(List.<DavXml.Member>of()));
            }
            if (response.status() == 403) {
                // logged in, but not allowed to the principal of this user: the login is not theirs
                return Mono.error(refused(user, "PROPFIND", 403));
            }
            return Mono.just(DavXml.parse(DavClient.expectOk(response, "PROPFIND " + principal).body()).members());
        }).flatMap(members -> {
            List<DavXml.Member> collections = members.stream()
                    .filter(m -> m.has("resourcetype", "calendar") || m.has("resourcetype", "addressbook"))
                    .sorted(Comparator.comparing(DavXml.Member::href)).toList();
            boolean hasEvents = collections.stream().anyMatch(m -> kind(m) == ItemClass.CALENDAR);
            boolean hasContacts = collections.stream().anyMatch(m -> kind(m) == ItemClass.CONTACTS);
            boolean hasTasks = collections.stream().anyMatch(m -> kind(m) == ItemClass.TASKS);
            if (hasEvents && hasContacts && hasTasks) {
                return Mono.just(collections);
            }
            // a new user: the default collections, as groupware servers make them on first login
            List<Mono<Void>> creations = new ArrayList<>();
            if (!hasEvents) {
                creations.add(make(user, principal.resolve("calendar/"), "Calendar", ItemClass.CALENDAR));
            }
            if (!hasContacts) {
                creations.add(make(user, principal.resolve("contacts/"), "Contacts", ItemClass.CONTACTS));
            }
            if (!hasTasks) {
                creations.add(make(user, principal.resolve("tasks/"), "Tasks", ItemClass.TASKS));
            }
            return Flux.concat(creations).then(propfind(user, principal, "1", LIST))
                    .map(r -> DavXml.parse(DavClient.expectOk(r, "PROPFIND").body()).members().stream()
                            .filter(m -> m.has("resourcetype", "calendar") || m.has("resourcetype", "addressbook"))
                            .sorted(Comparator.comparing(DavXml.Member::href)).toList());
        });
    }

    private static ItemClass kind(DavXml.Member m) {
        if (m.has("resourcetype", "addressbook")) {
            return ItemClass.CONTACTS;
        }
        boolean events = m.has("supported-calendar-component-set", "comp")
                ? componentSet(m).contains("VEVENT") : true;
        return events ? ItemClass.CALENDAR : ItemClass.TASKS;
    }

    private static List<String> componentSet(DavXml.Member m) {
        List<String> names = new ArrayList<>();
        for (var comp : DavXml.childrenNamed(m.props().get("supported-calendar-component-set"), "comp")) {
            names.add(comp.getAttribute("name"));
        }
        return names;
    }

    private Mono<Void> make(String user, URI uri, String name, ItemClass itemClass) {
        String body;
        String method;
        if (itemClass == ItemClass.CONTACTS) {
            method = "MKCOL";
            body = """
                    <?xml version="1.0" encoding="utf-8"?>
                    <d:mkcol xmlns:d="DAV:" xmlns:a="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>
                    <d:resourcetype><d:collection/><a:addressbook/></d:resourcetype>
                    <d:displayname>%s</d:displayname></d:prop></d:set></d:mkcol>""".formatted(DavXml.escape(name));
        } else {
            method = "MKCALENDAR";
            body = """
                    <?xml version="1.0" encoding="utf-8"?>
                    <c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>
                    <d:displayname>%s</d:displayname>
                    <c:supported-calendar-component-set><c:comp name="%s"/></c:supported-calendar-component-set>
                    </d:prop></d:set></c:mkcalendar>""".formatted(DavXml.escape(name),
                    itemClass == ItemClass.CALENDAR ? "VEVENT" : "VTODO");
        }
        return send(user, method, uri, null, "application/xml; charset=utf-8", body, null, null)
                .map(r -> {
                    if (r.status() == 405) {
                        throw new MailStoreException(Kind.ALREADY_EXISTS, "collection exists: " + uri);
                    }
                    return DavClient.expectOk(r, method + " " + uri);
                }).then();
    }

    /**
     * Whether the listing lets the user write into the collection: {@code DAV:all}, {@code write} or
     * {@code write-content} among its current-user-privilege-set (RFC 3744 3.1, 5.4); a server that does not report
     * the set: yes (its answer to the write decides).
     */
    private static boolean writable(DavXml.Member m) {
        Element set = m.props().get("current-user-privilege-set");
        if (set == null) {
            return true;
        }
        for (Element privilege : DavXml.childrenNamed(set, "privilege")) {
            if (!DavXml.childrenNamed(privilege, "all").isEmpty() || !DavXml.childrenNamed(privilege, "write").isEmpty()
                    || !DavXml.childrenNamed(privilege, "write-content").isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Folders of the listed collections; the first of each class is the default (CALENDAR, CONTACTS, TASKS). Other
     * principals' collections are user-created types named {@code <owner>/<name>}.
     */
    private Map<String, Coll> apply(String user, List<DavXml.Member> collections, List<DavXml.Member> shared) {
        Map<String, Coll> known = state(user).colls;
        Map<String, Coll> now = new LinkedHashMap<>();
        boolean[] defaults = new boolean[3];
        // the default of each class: the collection named as the store names defaults, else the first by path
        List<DavXml.Member> ordered = new ArrayList<>(collections);
        ordered.sort(Comparator.comparing((DavXml.Member m) -> m.href().matches(".*/(calendar|contacts|tasks)/?$")
                ? 0 : 1).thenComparing(DavXml.Member::href));
        for (DavXml.Member m : ordered) {
            ItemClass itemClass = kind(m);
            int slot = itemClass == ItemClass.CALENDAR ? 0 : itemClass == ItemClass.CONTACTS ? 1 : 2;
            FolderType type;
            if (!defaults[slot]) {
                defaults[slot] = true;
                type = slot == 0 ? FolderType.CALENDAR : slot == 1 ? FolderType.CONTACTS : FolderType.TASKS;
            } else {
                type = slot == 0 ? FolderType.USER_CALENDAR : slot == 1 ? FolderType.USER_CONTACTS
                        : FolderType.USER_TASKS;
            }
            String path = m.href().endsWith("/") ? m.href() : m.href() + "/";
            String id = folderId(path);
            String name = m.text("displayname");
            if (name == null || name.isEmpty()) {
                String trimmed = path.substring(0, path.length() - 1);
                name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
            }
            Folder folder = new Folder(id, Folder.ROOT, name, type);
            Coll coll = known.computeIfAbsent(id, i -> new Coll(user, path, folder));
            coll.folder = folder;
            coll.readOnly = !writable(m);
            now.put(id, coll);
        }
        for (DavXml.Member m : shared) {
            ItemClass itemClass = kind(m);
            FolderType type = itemClass == ItemClass.CALENDAR ? FolderType.USER_CALENDAR
                    : itemClass == ItemClass.CONTACTS ? FolderType.USER_CONTACTS : FolderType.USER_TASKS;
            String path = m.href().endsWith("/") ? m.href() : m.href() + "/";
            String[] segments = path.substring(0, path.length() - 1).split("/");
            String owner = segments.length >= 2 ? segments[segments.length - 2] : "?";
            String name = m.text("displayname");
            if (name == null || name.isEmpty()) {
                name = segments[segments.length - 1];
            }
            String id = folderId(path);
            Folder folder = new Folder(id, Folder.ROOT, owner + "/" + name, type);
            Coll coll = known.computeIfAbsent(id, i -> new Coll(user, path, folder));
            coll.folder = folder;
            coll.readOnly = !writable(m);
            now.putIfAbsent(id, coll);
        }
        known.keySet().retainAll(now.keySet());
        return now;
    }

    static String folderId(String path) {
        return "d" + hash(path).substring(0, 10);
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The collection, NOT_ALLOWED when the user may not write into it (shared read-only). */
    private Mono<Coll> writable(String user, String folderId) {
        return coll(user, folderId).flatMap(coll -> coll.readOnly
                ? Mono.error(new MailStoreException(Kind.NOT_ALLOWED, "collection " + coll.path + " is read-only"
                        + " for this user (no write in its DAV:current-user-privilege-set)"))
                : Mono.just(coll));
    }

    private Mono<Coll> coll(String user, String folderId) {
        UserState state = users.getIfPresent(user);
        Coll coll = state == null ? null : state.colls.get(folderId);
        if (coll != null) {
            return Mono.just(coll);
        }
        return discover(user).flatMap(colls -> Mono.justOrEmpty(colls.get(folderId)))
                .switchIfEmpty(Mono.error(() -> new MailStoreException(Kind.NOT_FOUND, "no folder " + folderId)));
    }

    // ---- folders --------------------------------------------------------------------------------------------------

    @Override
    public Mono<Folder> createFolder(String user, String parentId, String name, FolderType type) {
        if (!Folder.ROOT.equals(parentId)) {
            return coll(user, parentId).then(Mono.error(new MailStoreException(Kind.NOT_ALLOWED,
                    "DAV collections are not nested")));
        }
        ItemClass itemClass = type.itemClass();
        if (itemClass == ItemClass.EMAIL || itemClass == ItemClass.NOTES) {
            return Mono.error(new MailStoreException(Kind.INVALID, "no DAV collection for " + type));
        }
        return folders(user).filter(f -> f.name().equals(name)).hasElements().flatMap(taken -> {
            if (taken) {
                return Mono.error(new MailStoreException(Kind.ALREADY_EXISTS, "a collection named " + name));
            }
            URI uri = principal(user).resolve(UUID.randomUUID() + "/");
            return make(user, uri, name, itemClass).then(folders(user).filter(f -> f.id().equals(folderId(uri.getPath())))
                    .next().switchIfEmpty(Mono.error(() -> new MailStoreException(Kind.UNAVAILABLE,
                            "created collection not listed"))));
        });
    }

    @Override
    public Mono<Folder> updateFolder(String user, String folderId, String newParentId, String newName) {
        return coll(user, folderId).flatMap(coll -> {
            if (!coll.folder.type().userCreatable()) {
                return Mono.error(new MailStoreException(Kind.NOT_ALLOWED, "default collections keep their name"));
            }
            if (!Folder.ROOT.equals(newParentId)) {
                return Mono.error(new MailStoreException(Kind.NOT_ALLOWED, "DAV collections are not nested"));
            }
            return folders(user).filter(f -> f.name().equals(newName) && !f.id().equals(folderId)).hasElements()
                    .flatMap(taken -> taken ? Mono.error(new MailStoreException(Kind.ALREADY_EXISTS, newName))
                            : send(user, "PROPPATCH", uri(coll.path), null, "application/xml; charset=utf-8", """
                            <?xml version="1.0" encoding="utf-8"?>
                            <d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>%s</d:displayname>
                            </d:prop></d:set></d:propertyupdate>""".formatted(DavXml.escape(newName)), null, null)
                            .map(r -> DavClient.expectOk(r, "PROPPATCH"))
                            .then(folders(user).filter(f -> f.id().equals(folderId)).next()));
        });
    }

    @Override
    public Mono<Void> deleteFolder(String user, String folderId) {
        return coll(user, folderId).flatMap(coll -> {
            if (!coll.folder.type().userCreatable()) {
                return Mono.error(new MailStoreException(Kind.NOT_ALLOWED, "default collections stay"));
            }
            return send(user, "DELETE", uri(coll.path), null, null, null, null, null)
                    .map(r -> DavClient.expectOk(r, "DELETE collection"))
                    .doOnNext(r -> state(user).colls.remove(folderId)).then();
        });
    }

    // ---- changes --------------------------------------------------------------------------------------------------

    private Mono<Coll> refresh(String user, Coll coll) {
        String token;
        synchronized (coll) {
            token = coll.syncToken;
        }
        String body = """
                <?xml version="1.0" encoding="utf-8"?>
                <d:sync-collection xmlns:d="DAV:"><d:sync-token>%s</d:sync-token><d:sync-level>1</d:sync-level>
                <d:prop><d:getetag/></d:prop></d:sync-collection>""".formatted(token == null ? ""
                : DavXml.escape(token));
        return report(user, uri(coll.path), "1", body).flatMap(response -> {
            if ((response.status() == 403 || response.status() == 409) && token != null) {
                // the token is no longer valid: start over (RFC 6578 3.2, valid-sync-token)
                synchronized (coll) {
                    coll.syncToken = null;
                }
                return refresh(user, coll).map(c -> c);
            }
            DavXml.MultiStatus ms = DavXml.parse(DavClient.expectOk(response, "REPORT sync-collection").body());
            boolean full = token == null;
            List<String> fetch = new ArrayList<>();
            synchronized (coll) {
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (DavXml.Member m : ms.members()) {
                    String name = nameOf(coll.path, m.href());
                    if (name == null) {
                        continue;
                    }
                    seen.add(name);
                    Entry entry = coll.entries.get(name);
                    if (m.status() == 404) {
                        if (entry != null) {
                            coll.entries.remove(name);
                            coll.vanished.put(name, nextSeq());
                        }
                    } else {
                        String etag = m.text("getetag");
                        if (entry == null || !Objects.equals(entry.etag(), etag) || entry.item() == null) {
                            fetch.add(name);
                        }
                    }
                }
                if (full) {
                    for (String name : new ArrayList<>(coll.entries.keySet())) {
                        if (!seen.contains(name)) {
                            coll.entries.remove(name);
                            coll.vanished.put(name, nextSeq());
                        }
                    }
                }
            }
            return multiget(coll, fetch).then(Mono.fromCallable(() -> {
                synchronized (coll) {
                    coll.syncToken = ms.syncToken();
                }
                return coll;
            }));
        });
    }

    private String nameOf(String collPath, String href) {
        if (href == null || !href.startsWith(collPath) || href.length() == collPath.length()) {
            return null;
        }
        String name = href.substring(collPath.length());
        return name.contains("/") ? null : name;
    }

    /** Loads resources and records their ETags (new numbers for new ETags). */
    private Mono<Void> multiget(Coll coll, List<String> names) {
        if (names.isEmpty()) {
            return Mono.empty();
        }
        ItemClass itemClass = coll.folder.itemClass();
        StringBuilder hrefs = new StringBuilder();
        for (String name : names) {
            hrefs.append("<d:href>").append(DavXml.escape(encodePath(coll.path + name))).append("</d:href>");
        }
        String body = itemClass == ItemClass.CONTACTS ? """
                <?xml version="1.0" encoding="utf-8"?>
                <a:addressbook-multiget xmlns:d="DAV:" xmlns:a="urn:ietf:params:xml:ns:carddav">
                <d:prop><d:getetag/><a:address-data/></d:prop>%s</a:addressbook-multiget>""".formatted(hrefs)
                : """
                <?xml version="1.0" encoding="utf-8"?>
                <c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
                <d:prop><d:getetag/><c:calendar-data/></d:prop>%s</c:calendar-multiget>""".formatted(hrefs);
        return report(coll.user, uri(coll.path), "1", body).doOnNext(response -> {
            DavXml.MultiStatus ms = DavXml.parse(DavClient.expectOk(response, "REPORT multiget").body());
            synchronized (coll) {
                for (DavXml.Member m : ms.members()) {
                    String name = nameOf(coll.path, m.href());
                    if (name == null || m.status() == 404) {
                        continue;
                    }
                    String data = itemClass == ItemClass.CONTACTS ? m.text("address-data") : m.text("calendar-data");
                    record(coll, name, m.text("getetag"), data);
                }
            }
        }).then();
    }

    /**
     * Records a resource's content under its ETag; its order number stays while the ETag does, its version is the
     * ETag's.
     */
    private Entry record(Coll coll, String name, String etag, String data) {
        Entry old = coll.entries.get(name);
        long seq = old != null && Objects.equals(old.etag(), etag) ? old.seq() : nextSeq();
        Item item = null;
        if (data != null) {
            try {
                WbxmlElement eas = PimCodec.toEas(coll.folder.itemClass(), data);
                if (eas != null) {
                    item = new Item(coll.folder.id() + ":" + token(coll, name), coll.folder.id(),
                            version(name, etag),
                            dateOf(coll.folder.itemClass(), eas), new ItemContent.Pim(coll.folder.itemClass(), eas));
                }
            } catch (RuntimeException e) {
                LOG.warn("skipping unreadable resource {}{}: {}", coll.path, name, e.toString());
            }
        }
        if (item == null) {
            coll.entries.remove(name);
            return null;
        }
        Entry entry = new Entry(etag, seq, item);
        coll.entries.put(name, entry);
        coll.vanished.remove(name);
        return entry;
    }

    private Instant dateOf(ItemClass itemClass, WbxmlElement eas) {
        String start = eas.childText("Calendar:StartTime");
        if (itemClass == ItemClass.CALENDAR && start != null) {
            try {
                return Instant.from(IcalConverter.COMPACT.parse(start));
            } catch (RuntimeException e) {
                return Instant.EPOCH;
            }
        }
        return Instant.EPOCH;
    }

    /** The id part of a resource name. */
    private static String token(Coll coll, String name) {
        if (name.matches("[A-Za-z0-9._-]{1,50}")) {
            return name;
        }
        return "~" + hash(coll.path + name).substring(0, 24);
    }

    private static String nameOfToken(Coll coll, String token) {
        if (!token.startsWith("~")) {
            return token;
        }
        for (String name : coll.entries.keySet()) {
            if (token(coll, name).equals(token)) {
                return name;
            }
        }
        return null;
    }

    @Override
    public Mono<FolderChanges> changesSince(String user, String folderId, long watermark) {
        return coll(user, folderId).flatMap(coll -> refresh(user, coll)).map(coll -> {
            synchronized (coll) {
                long highest = coll.highest;
                for (Entry e : coll.entries.values()) {
                    highest = Math.max(highest, e.seq());
                }
                for (long v : coll.vanished.values()) {
                    highest = Math.max(highest, v);
                }
                coll.highest = highest;
                coll.issued.add(highest);
                boolean reset = watermark != 0 && !coll.issued.contains(watermark);
                if (reset && watermark >= highest && watermark < Long.MAX_VALUE / 2) {
                    // the core keeps the higher of its watermark and ours: issue one past it, or every later
                    // request of the device would be another compare of the whole folder
                    highest = nextSeqAfter(watermark);
                    coll.highest = highest;
                    coll.issued.add(highest);
                }
                long since = reset ? 0 : watermark;
                // filtered and ordered by this node's numbers, reported with the ETag's version
                List<ItemVersion> changed = coll.entries.values().stream().filter(e -> e.seq() > since)
                        .sorted(Comparator.comparingLong(Entry::seq))
                        .map(e -> new ItemVersion(e.item().id(), e.item().modSeq(), e.item().date())).toList();
                List<String> vanished = since == 0 ? List.of() : coll.vanished.entrySet().stream()
                        .filter(v -> v.getValue() > since).map(v -> folderId + ":" + token(coll, v.getKey())).toList();
                return new FolderChanges(highest, changed, vanished, reset);
            }
        });
    }

    // ---- items ----------------------------------------------------------------------------------------------------

    private static String[] split(String itemId) {
        int colon = itemId.indexOf(':');
        return colon < 0 ? null : new String[] {itemId.substring(0, colon), itemId.substring(colon + 1)};
    }

    @Override
    public Flux<Item> items(String user, String folderId, Collection<String> ids) {
        return Flux.fromIterable(List.copyOf(ids)).concatMap(id -> item(user, folderId, id));
    }

    @Override
    public Mono<Item> item(String user, String folderId, String itemId) {
        return coll(user, folderId).flatMap(coll -> {
            String[] parts = split(itemId);
            if (parts == null || !parts[0].equals(folderId)) {
                return Mono.empty();
            }
            String name;
            synchronized (coll) {
                name = nameOfToken(coll, parts[1]);
            }
            if (name == null) {
                return Mono.empty();
            }
            return fetch(coll, name);
        });
    }

    /** GETs a resource (its current version), recording it. */
    private Mono<Item> fetch(Coll coll, String name) {
        return send(coll.user, "GET", uri(coll.path + name), null, null, null, null, null).flatMap(r -> {
            synchronized (coll) {
                if (r.status() == 404 || r.status() == 410) {
                    if (coll.entries.remove(name) != null) {
                        coll.vanished.put(name, nextSeq());
                    }
                    return Mono.empty();
                }
                DavClient.expectOk(r, "GET");
                Entry e = record(coll, name, r.etag(), r.body());
                return Mono.justOrEmpty(e == null ? null : e.item());
            }
        });
    }

    private static ItemContent.Pim pim(Coll coll, ItemContent content) {
        if (!(content instanceof ItemContent.Pim pim) || pim.itemClass() != coll.folder.itemClass()) {
            throw new MailStoreException(Kind.INVALID, content.itemClass() + " item in a "
                    + coll.folder.itemClass() + " folder");
        }
        return pim;
    }

    @Override
    public Mono<Item> add(String user, String folderId, ItemContent content) {
        return writable(user, folderId).flatMap(coll -> Mono.fromCallable(() -> pim(coll, content)).flatMap(pim -> {
            String uid = UUID.randomUUID().toString();
            String name = uid + (pim.itemClass() == ItemClass.CONTACTS ? ".vcf" : ".ics");
            return put(coll, name, pim, uid, null);
        }));
    }

    /**
     * The resource is named after the write id and created with {@code If-None-Match: *} (RFC 7232 3.2): when the
     * server already has it (412), the earlier attempt's item is read back instead of adding a second one.
     */
    @Override
    public Mono<Item> addOnce(String user, String folderId, String writeId, ItemContent content) {
        return writable(user, folderId).flatMap(coll -> Mono.fromCallable(() -> pim(coll, content)).flatMap(pim -> {
            String uid = "easgate-" + writeId;
            String name = uid + (pim.itemClass() == ItemClass.CONTACTS ? ".vcf" : ".ics");
            return put(coll, name, pim, uid, null)
                    .onErrorResume(e -> e instanceof MailStoreException refused
                                    && refused.kind() == Kind.ALREADY_EXISTS,
                            e -> fetch(coll, name).switchIfEmpty(Mono.error(e)));
        }));
    }

    private Mono<Item> put(Coll coll, String name, ItemContent.Pim pim, String uid, String ifMatch) {
        String text;
        try {
            text = PimCodec.toDav(pim.itemClass(), pim.applicationData(), uid, clock.instant());
        } catch (RuntimeException e) {
            return Mono.error(new MailStoreException(Kind.INVALID, "cannot convert: " + e.getMessage(), e));
        }
        String type = pim.itemClass() == ItemClass.CONTACTS ? "text/vcard; charset=utf-8"
                : "text/calendar; charset=utf-8";
        return send(coll.user, "PUT", uri(coll.path + name), null, type, text, ifMatch, ifMatch == null ? "*" : null)
                .flatMap(r -> {
                    if (r.status() == 412 && ifMatch == null) {
                        return Mono.error(new MailStoreException(Kind.ALREADY_EXISTS, name + " exists already"));
                    }
                    if (r.status() == 412) {
                        return Mono.error(new MailStoreException(Kind.NOT_ALLOWED, "changed on the server since "
                                + "this node saw it (ETag " + ifMatch + "): refused, the server's version wins"));
                    }
                    DavClient.expectOk(r, "PUT");
                    if (r.etag() == null) {
                        return fetch(coll, name);
                    }
                    synchronized (coll) {
                        Entry e = record(coll, name, r.etag(), text);
                        return Mono.justOrEmpty(e == null ? null : e.item());
                    }
                });
    }

    @Override
    public Mono<Item> change(String user, String folderId, String itemId, ItemContent content) {
        return writable(user, folderId).flatMap(coll -> Mono.fromCallable(() -> pim(coll, content)).flatMap(pim -> {
            String[] parts = split(itemId);
            String name;
            Entry entry;
            synchronized (coll) {
                name = parts == null || !parts[0].equals(folderId) ? null : nameOfToken(coll, parts[1]);
                entry = name == null ? null : coll.entries.get(name);
            }
            if (entry == null) {
                // not seen by this node yet: read it first (its ETag is then the base of the change)
                Mono<Item> seen = name == null ? Mono.empty() : fetch(coll, name);
                return seen.switchIfEmpty(Mono.error(() -> new MailStoreException(Kind.NOT_FOUND, itemId)))
                        .flatMap(item -> change(user, folderId, itemId, content));
            }
            String uid = entry.item().content() instanceof ItemContent.Pim old
                    && old.applicationData().childText("Calendar:UID") == null ? uidOf(name) : uidOf(name);
            return put(coll, name, pim, uid, entry.etag());
        }));
    }

    private static String uidOf(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    @Override
    public Mono<Void> delete(String user, String folderId, String itemId) {
        return writable(user, folderId).flatMap(coll -> {
            String[] parts = split(itemId);
            String name;
            synchronized (coll) {
                name = parts == null || !parts[0].equals(folderId) ? null : nameOfToken(coll, parts[1]);
            }
            if (name == null) {
                return Mono.empty();
            }
            return send(user, "DELETE", uri(coll.path + name), null, null, null, null, null).doOnNext(r -> {
                if (r.status() != 404 && r.status() != 410) {
                    DavClient.expectOk(r, "DELETE");
                }
                synchronized (coll) {
                    if (coll.entries.remove(name) != null || r.ok()) {
                        coll.vanished.put(name, nextSeq());
                    }
                }
            }).then();
        });
    }

    @Override
    public Mono<Item> move(String user, String fromFolderId, String itemId, String toFolderId) {
        return coll(user, fromFolderId).zipWith(coll(user, toFolderId)).flatMap(both -> {
            if (both.getT1().folder.itemClass() != both.getT2().folder.itemClass()) {
                return Mono.error(new MailStoreException(Kind.INVALID, "folders of different classes"));
            }
            return item(user, fromFolderId, itemId)
                    .switchIfEmpty(Mono.error(() -> new MailStoreException(Kind.NOT_FOUND, itemId)))
                    .flatMap(item -> add(user, toFolderId, item.content())
                            .flatMap(moved -> delete(user, fromFolderId, itemId).thenReturn(moved)));
        });
    }

    @Override
    public Mono<Void> emptyFolder(String user, String folderId, boolean deleteSubfolders) {
        return changesSince(user, folderId, 0).flatMapMany(changes -> Flux.fromIterable(changes.changed()))
                .concatMap(v -> delete(user, folderId, v.id())).then();
    }

    /** Refreshes a collection and tells whether its sync token moved (for the fallback watcher). */
    public Mono<Boolean> poll(String user, String folderId) {
        return coll(user, folderId).flatMap(coll -> {
            String before;
            synchronized (coll) {
                before = coll.syncToken;
            }
            return refresh(user, coll).map(c -> {
                synchronized (c) {
                    return before != null && !Objects.equals(before, c.syncToken);
                }
            });
        });
    }

    /** Users whose state this node keeps now (at most {@code maxUsers}, each until idle). */
    public Set<String> knownUsers() {
        users.cleanUp();
        return Set.copyOf(users.asMap().keySet());
    }
}
