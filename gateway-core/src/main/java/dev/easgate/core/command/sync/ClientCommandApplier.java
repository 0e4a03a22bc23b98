package dev.easgate.core.command.sync;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.core.content.ApplicationDataReader;
import dev.easgate.core.content.AttachmentReference;
import dev.easgate.core.content.ContentOptions;
import dev.easgate.core.content.ContentRenderer;
import dev.easgate.core.content.DraftMime;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Applies a collection's client commands to the store, one after the other, and answers them in the Responses
 * element (MS-ASCMD 2.2.3.154): every Add and Fetch gets a response, a Change or Delete only when it failed. The
 * known map learns each write so that the client's own changes are never echoed back to it.
 *
 * <p>Email is added, rebuilt on Change, and deleted through Sync only as a draft: a 16.0+ client in the Drafts
 * folder ({@link DraftMime}); anywhere else an email Add is status 6 and an email Change touches only Read, Flag
 * and Categories.
 *
 * <p>Applying the same commands again (the request is processed again after its first attempt died, see
 * {@link SyncClaims}) changes nothing twice: each Add is written once per write id ({@link MailStore#addOnce}), a
 * Change sets what it sets, and a Delete of an item that is gone answers as the first attempt did (no failure).
 *
 * <p>A Change or Delete the store refuses as not allowed (a folder another user shared read-only: IMAP rights,
 * a DAV collection without write privilege) is answered with status 6 (MS-ASCMD 2.2.3.177.17: the server cannot
 * store the item, the client should not send it again) and the item as the store holds it goes back to the phone,
 * a Change over the phone's edit or an Add for what it deleted, so the phone shows the folder as it is: the known map
 * marks it {@link #REFUSED_CHANGE} or {@link #REFUSED_DELETE}, which the next page of server changes sends (this
 * response's when it asks for changes, else the next Sync's).
 */
final class ClientCommandApplier {
    private final MailStore store;
    private final String user;
    private final Folder folder;
    private final String deletedItemsId;
    private final ContentOptions content;
    private final Set<String> supported;
    private final boolean deletesAsMoves;
    private final UnaryOperator<String> writeIds;
    private final boolean again;
    private final OrganizerWrites meetings;

    /**
     * @param writeIds the write id of an Add by its ClientId
     * @param again    an earlier attempt may have applied these commands already
     * @param meetings the iMIP mail an organizer's calendar writes send
     */
    ClientCommandApplier(MailStore store, String user, Folder folder, String deletedItemsId, ContentOptions content,
                         Set<String> supported, boolean deletesAsMoves, UnaryOperator<String> writeIds,
                         boolean again, OrganizerWrites meetings) {
        this.store = store;
        this.user = user;
        this.folder = folder;
        this.deletedItemsId = deletedItemsId;
        this.content = content;
        this.supported = supported;
        this.deletesAsMoves = deletesAsMoves;
        this.writeIds = writeIds;
        this.again = again;
        this.meetings = meetings;
    }

    /** The outcome: Responses children in command order, and the known map after the writes. */
    record Applied(List<WbxmlElement> responses, Map<String, Long> known) {
    }

    /**
     * The version the known map gives an item whose Change the store refused: the phone holds its own edit, which no
     * store version equals, so the item goes back as a Change.
     */
    static final long REFUSED_CHANGE = Long.MIN_VALUE;
    /** The same for a refused Delete: the phone no longer holds the item, which goes back as an Add. */
    static final long REFUSED_DELETE = Long.MIN_VALUE + 1;

    /** Whether a known version marks a refused write whose item the phone must get again. */
    static boolean refused(long version) {
        return version == REFUSED_CHANGE || version == REFUSED_DELETE;
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

    /**
     * A Change or Delete of {@code stored} that the store refused: not allowed is status 6 and the item goes back to
     * the phone; any other refusal is answered as before.
     */
    private Mono<WbxmlElement> refused(String command, Item stored, MailStoreException e, Map<String, Long> known) {
        if (e.kind() == MailStoreException.Kind.NOT_ALLOWED) {
            known.put(stored.id(), command.equals("Delete") ? REFUSED_DELETE : REFUSED_CHANGE);
        }
        return Mono.just(failure(command, stored.id(), statusOf(e)));
    }

    private Mono<WbxmlElement> add(ClientCommand.Add add, Map<String, Long> known) {
        ItemClass itemClass = folder.itemClass();
        if (itemClass == ItemClass.EMAIL) {
            // MS-ASCMD 2.2.3.7.2: only a draft, in the Drafts folder, from a 16.0+ client may be added as email
            if (!drafts()) {
                return Mono.just(addResponse(add.clientId(), null, SyncStatus.CONVERSION_ERROR));
            }
            return addDraft(add, known);
        }
        return Mono.fromCallable(() -> ApplicationDataReader.newPim(itemClass, add.applicationData()))
                .flatMap(pim -> store.addOnce(user, folder.id(), writeIds.apply(add.clientId()), pim))
                .flatMap(item -> itemClass == ItemClass.CALENDAR && !again && meetings.active()
                        ? invite(item).thenReturn(item)
                        : Mono.just(item))
                .map(item -> {
                    known.put(item.id(), item.modSeq());
                    return addResponse(add.clientId(), item.id(), SyncStatus.SUCCESS);
                })
                .onErrorResume(MailStoreException.class, e ->
                        Mono.just(addResponse(add.clientId(), null, statusOf(e))));
    }

    /** Email writes of a 16.0+ client in the Drafts folder (MS-ASEMAIL 2.2.2.42 IsDraft). */
    private boolean drafts() {
        return folder.itemClass() == ItemClass.EMAIL && folder.type() == FolderType.DRAFTS
                && content.version().atLeast(ProtocolVersion.V16_0);
    }

    private Mono<WbxmlElement> addDraft(ClientCommand.Add add, Map<String, Long> known) {
        DraftMime.Edit edit;
        EmailFlags flags;
        try {
            edit = DraftMime.Edit.read(add.applicationData());
            flags = ApplicationDataReader.changedEmailFlags(DRAFT_FLAGS, add.applicationData());
        } catch (IllegalArgumentException e) {
            return Mono.just(addResponse(add.clientId(), null, SyncStatus.CONVERSION_ERROR));
        }
        return Mono.fromCallable(() -> DraftMime.build(edit, null, folder.id(), null, Instant.now()))
                .subscribeOn(Schedulers.parallel())
                .flatMap(mime -> store.addOnce(user, folder.id(), writeIds.apply(add.clientId()),
                        new ItemContent.Email(mime, flags)))
                .map(item -> {
                    known.put(item.id(), item.modSeq());
                    WbxmlElement.Builder response = WbxmlElement.el(CodePage.AIR_SYNC, "Add")
                            .child("ClientId", add.clientId()).child("ServerId", item.id());
                    WbxmlElement attachments = attachmentIds(edit, item);
                    if (attachments != null) {
                        response.child("ApplicationData", d -> d.child(attachments));
                    }
                    return response.child("Status", SyncStatus.SUCCESS).build();
                })
                .onErrorResume(IllegalArgumentException.class, e ->
                        Mono.just(addResponse(add.clientId(), null, SyncStatus.CONVERSION_ERROR)))
                .onErrorResume(MailStoreException.class, e ->
                        Mono.just(addResponse(add.clientId(), null, statusOf(e))));
    }

    /**
     * A Change of a draft: the message is rebuilt from the stored draft and what was sent. The response carries the
     * FileReference of each attachment added (MS-ASAIRS 2.2.2.14 ClientId); a store that cannot rewrite in place
     * gives the draft a new id, which the client then learns as a Delete and an Add.
     */
    private Mono<WbxmlElement> changeDraft(ClientCommand.Change change, ItemContent.Email current,
                                           Map<String, Long> known) {
        DraftMime.Edit edit;
        EmailFlags flags;
        try {
            edit = DraftMime.Edit.read(change.applicationData());
            flags = ApplicationDataReader.changedEmailFlags(current.flags(), change.applicationData());
        } catch (IllegalArgumentException e) {
            return Mono.just(failure("Change", change.serverId(), SyncStatus.CONVERSION_ERROR));
        }
        String id = change.serverId();
        return Mono.fromCallable(() -> DraftMime.build(edit, current, folder.id(), id, Instant.now()))
                .subscribeOn(Schedulers.parallel())
                .flatMap(mime -> store.replaceMessage(user, folder.id(), id, new ItemContent.Email(mime, flags)))
                .map(item -> {
                    if (item.id().equals(id)) {
                        known.put(item.id(), item.modSeq());
                    } else {
                        known.remove(id);
                    }
                    WbxmlElement attachments = attachmentIds(edit, item);
                    if (attachments == null) {
                        return NO_RESPONSE;
                    }
                    return WbxmlElement.el(CodePage.AIR_SYNC, "Change").child("ServerId", id)
                            .child("Status", SyncStatus.SUCCESS)
                            .child("ApplicationData", d -> d.child(attachments)).build();
                });
    }

    /** AirSyncBase:Attachments with ClientId and FileReference of each attachment the edit added, or null. */
    private static WbxmlElement attachmentIds(DraftMime.Edit edit, Item item) {
        if (edit.added().isEmpty() || !(item.content() instanceof ItemContent.Email email)) {
            return null;
        }
        List<Integer> parts = DraftMime.lastAttachmentParts(email.mime(), edit.added().size());
        WbxmlElement.Builder list = WbxmlElement.el(CodePage.AIR_SYNC_BASE, "Attachments");
        for (int i = 0; i < parts.size(); i++) {
            String clientId = edit.added().get(i).clientId();
            String reference = new AttachmentReference(item.folderId(), item.id(), parts.get(i)).format();
            list.child("Attachment", a -> a.child("ClientId", clientId).child("FileReference", reference));
        }
        return list.build();
    }

    private Mono<WbxmlElement> change(ClientCommand.Change change, Map<String, Long> known) {
        if (change.instanceId() != null) {
            return occurrence("Change", change.serverId(), change.instanceId(), change.applicationData(), known);
        }
        return store.item(user, folder.id(), change.serverId())
                .flatMap(current -> (current.content() instanceof ItemContent.Email email && drafts()
                        ? changeDraft(change, email, known)
                        : changeFlagsOrPim(change, current, known))
                        .onErrorResume(MailStoreException.class, e -> refused("Change", current, e, known)))
                .switchIfEmpty(Mono.fromSupplier(() -> failure("Change", change.serverId(),
                        SyncStatus.OBJECT_NOT_FOUND)))
                .onErrorResume(MailStoreException.class, e -> Mono.just(failure("Change", change.serverId(),
                        statusOf(e))))
                .onErrorResume(IllegalArgumentException.class, e -> Mono.just(failure("Change", change.serverId(),
                        SyncStatus.CONVERSION_ERROR)))
                .filter(response -> response != NO_RESPONSE);
    }

    private Mono<WbxmlElement> changeFlagsOrPim(ClientCommand.Change change, Item stored, Map<String, Long> known) {
        return Mono.just(stored)
                .flatMap(current -> {
                    ItemContent next = current.content() instanceof ItemContent.Email email
                            ? email.withFlags(
                                    ApplicationDataReader.changedEmailFlags(email.flags(), change.applicationData()))
                            : changedPim((ItemContent.Pim) current.content(), change.applicationData());
                    Mono<Item> written = store.change(user, folder.id(), change.serverId(), next);
                    if (current.content() instanceof ItemContent.Pim before && before.itemClass() == ItemClass.CALENDAR
                            && next instanceof ItemContent.Pim after) {
                        return written.flatMap(item -> meetings.changed(item.id(), before.applicationData(),
                                after.applicationData()).thenReturn(item));
                    }
                    return written;
                })
                .map(item -> {
                    known.put(item.id(), item.modSeq());
                    return NO_RESPONSE;
                });
    }

    /**
     * A contact, event, task or note after a Change. From 16.0 a client MUST NOT send Calendar:Exceptions to change
     * an exception; it names the occurrence by AirSyncBase:InstanceId instead (MS-ASCAL 2.2.2.22). So for a 16.0+
     * client the Exceptions of an event are never written by a series Change: one that carries them has them
     * ignored (the rest is applied), and one that leaves them out does not delete them, even when the client
     * declared Calendar:Exceptions supported. A Change of the recurrence pattern or of the start or end time of a
     * recurring event deletes its exceptions (same section).
     */
    private ItemContent.Pim changedPim(ItemContent.Pim current, WbxmlElement sent) {
        if (current.itemClass() != ItemClass.CALENDAR || !content.version().atLeast(ProtocolVersion.V16_0)) {
            return ApplicationDataReader.changedPim(current, sent, supported);
        }
        List<WbxmlElement> kept = new ArrayList<>();
        for (WbxmlElement child : sent.children()) {
            if (!child.matches("Calendar:Exceptions")) {
                kept.add(child);
            }
        }
        Set<String> declared = supported;
        if (declared != null && declared.contains("Calendar:Exceptions")) {
            declared = new java.util.HashSet<>(declared);
            declared.remove("Calendar:Exceptions");
        }
        ItemContent.Pim next = ApplicationDataReader.changedPim(current, WbxmlElement.parent(sent.tag(), kept),
                declared);
        WbxmlElement before = current.applicationData();
        WbxmlElement after = next.applicationData();
        // MS-ASCAL 2.2.2.22: in 16.0 and 16.1, changing the recurrence pattern or the start/end times of a
        // recurring series deletes any exceptions of the event
        boolean reshaped = !recurrence(before).equals(recurrence(after))
                || !sameTime(before.childText("Calendar:StartTime"), after.childText("Calendar:StartTime"))
                || !sameTime(before.childText("Calendar:EndTime"), after.childText("Calendar:EndTime"));
        if (!reshaped || before.child("Calendar:Recurrence") == null || after.child("Calendar:Exceptions") == null) {
            return next;
        }
        List<WbxmlElement> withoutExceptions = new ArrayList<>();
        for (WbxmlElement child : after.children()) {
            if (!child.matches("Calendar:Exceptions")) {
                withoutExceptions.add(child);
            }
        }
        return new ItemContent.Pim(next.itemClass(), WbxmlElement.parent(after.tag(), withoutExceptions));
    }

    /** An event's recurrence pattern as element name to value (empty when it does not recur). */
    private static Map<String, String> recurrence(WbxmlElement data) {
        Map<String, String> pattern = new HashMap<>();
        WbxmlElement recurrence = data.child("Calendar:Recurrence");
        if (recurrence != null) {
            for (WbxmlElement child : recurrence.children()) {
                String value = child.textOrOpaqueUtf8();
                pattern.put(child.tag().qualifiedName(), value == null ? "" : value.strip());
            }
        }
        return pattern;
    }

    /** Two Calendar date-times naming the same instant (compact or extended form), or both absent. */
    private static boolean sameTime(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        String left = instanceStart(a.strip());
        String right = instanceStart(b.strip());
        return left != null && right != null ? left.equals(right) : a.strip().equals(b.strip());
    }

    /** The REQUEST a new meeting of the organizer sends to its attendees, with the UID the store gave it. */
    private Mono<Void> invite(Item added) {
        return store.item(user, folder.id(), added.id())
                .flatMap(stored -> stored.content() instanceof ItemContent.Pim pim
                        ? meetings.changed(stored.id(), null, pim.applicationData()) : Mono.<Void>empty());
    }

    /** The CANCEL a deleted meeting of the organizer sends to its attendees. */
    private Mono<Void> cancel(Item deleted) {
        if (deleted.content() instanceof ItemContent.Pim pim && pim.itemClass() == ItemClass.CALENDAR) {
            return meetings.deleted(deleted.id(), pim.applicationData());
        }
        return Mono.empty();
    }

    private Mono<WbxmlElement> delete(ClientCommand.Delete delete, Map<String, Long> known) {
        String id = delete.serverId();
        if (delete.instanceId() != null) {
            return occurrence("Delete", id, delete.instanceId(), null, known);
        }
        boolean move = deletesAsMoves && deletedItemsId != null && folder.type() != FolderType.DELETED_ITEMS
                && folder.itemClass() == ItemClass.EMAIL;
        return store.item(user, folder.id(), id)
                .flatMap(item -> (move
                        // MS-ASCMD 2.2.3.43: DeletesAsMoves moves the item to Deleted Items
                        ? store.move(user, folder.id(), id, deletedItemsId).then(Mono.just(NO_RESPONSE))
                        : store.delete(user, folder.id(), id).then(cancel(item)).then(Mono.just(NO_RESPONSE)))
                        .doOnNext(ignored -> known.remove(id))
                        .onErrorResume(MailStoreException.class, e -> refused("Delete", item, e, known)))
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    known.remove(id);
                    // gone on a second attempt: most likely the first one deleted it, and answered nothing
                    return again ? NO_RESPONSE : failure("Delete", id, SyncStatus.OBJECT_NOT_FOUND);
                }))
                .onErrorResume(MailStoreException.class, e -> Mono.just(failure("Delete", id, statusOf(e))))
                .filter(response -> response != NO_RESPONSE);
    }

    /**
     * A Change or Delete of one occurrence of a recurring event (16.0+, MS-ASCMD 2.2.3.90.2 InstanceId): the
     * occurrence becomes a Calendar:Exception of the series, keyed by ExceptionStartTime = the instance id; a Change
     * puts the elements sent into it (merged over an earlier exception of that occurrence), a Delete marks it
     * Calendar:Deleted. Status 6 for an InstanceId before 16.0, outside a calendar, on an event that does not recur
     * or that is not a date-time; 8 when the event is gone.
     */
    private Mono<WbxmlElement> occurrence(String command, String serverId, String instanceId, WbxmlElement sent,
                                          Map<String, Long> known) {
        String start = instanceStart(instanceId);
        if (start == null || folder.itemClass() != ItemClass.CALENDAR
                || !content.version().atLeast(ProtocolVersion.V16_0)) {
            return Mono.just(failure(command, serverId, SyncStatus.CONVERSION_ERROR));
        }
        return store.item(user, folder.id(), serverId)
                .flatMap(current -> {
                    if (!(current.content() instanceof ItemContent.Pim pim)
                            || pim.applicationData().child("Calendar:Recurrence") == null) {
                        return Mono.just(failure(command, serverId, SyncStatus.CONVERSION_ERROR));
                    }
                    return store.change(user, folder.id(), serverId, withException(pim, start, sent))
                            .map(item -> {
                                known.put(item.id(), item.modSeq());
                                return NO_RESPONSE;
                            })
                            // the occurrence's change or delete goes back as a Change of the whole series
                            .onErrorResume(MailStoreException.class, e -> refused("Change", current, e, known).map(response -> failure(command, serverId, statusOf(e))));
                })
                .switchIfEmpty(Mono.fromSupplier(() -> failure(command, serverId, SyncStatus.OBJECT_NOT_FOUND)))
                .onErrorResume(MailStoreException.class, e -> Mono.just(failure(command, serverId, statusOf(e))))
                .filter(response -> response != NO_RESPONSE);
    }

    /** Elements of a Change that describe the series, never one occurrence. */
    private static final Set<String> SERIES_ONLY = Set.of("Calendar:Recurrence", "Calendar:Exceptions",
            "Calendar:UID", "Calendar:Timezone", "Calendar:OrganizerName", "Calendar:OrganizerEmail",
            "Calendar:ClientUid", "AirSyncBase:InstanceId");

    /**
     * The event with its exception for the occurrence starting at {@code start} (compact UTC form): {@code sent}
     * null marks it deleted, else the elements sent replace the same elements of an earlier exception.
     */
    static ItemContent.Pim withException(ItemContent.Pim pim, String start, WbxmlElement sent) {
        WbxmlElement data = pim.applicationData();
        WbxmlElement exceptions = data.child("Calendar:Exceptions");
        List<WbxmlElement> list = new ArrayList<>();
        WbxmlElement earlier = null;
        if (exceptions != null) {
            for (WbxmlElement ex : exceptions.children()) {
                String when = ex.childText("Calendar:ExceptionStartTime");
                if (when != null && start.equals(instanceStart(when.strip()))) {
                    earlier = ex;
                } else {
                    list.add(ex);
                }
            }
        }
        WbxmlElement.Builder exception = WbxmlElement.el("Calendar:Exception");
        if (sent == null) {
            exception.child("Calendar:Deleted", "1");
        } else {
            Set<dev.easgate.wbxml.codepage.Tag> sentTags = new java.util.HashSet<>();
            sent.children().forEach(child -> sentTags.add(child.tag()));
            if (earlier != null) {
                for (WbxmlElement child : earlier.children()) {
                    if (!child.matches("Calendar:ExceptionStartTime") && !child.matches("Calendar:Deleted")
                            && !sentTags.contains(child.tag())) {
                        exception.child(child);
                    }
                }
            }
            for (WbxmlElement child : sent.children()) {
                if (!SERIES_ONLY.contains(child.tag().qualifiedName())) {
                    exception.child(child);
                }
            }
        }
        exception.child("Calendar:ExceptionStartTime", start);
        list.add(exception.build());
        list.sort(java.util.Comparator.comparing(ex -> String.valueOf(instanceStart(
                String.valueOf(ex.childText("Calendar:ExceptionStartTime")).strip()))));
        List<WbxmlElement> children = new ArrayList<>();
        boolean placed = false;
        for (WbxmlElement child : data.children()) {
            if (child.matches("Calendar:Exceptions")) {
                if (!placed) {
                    children.add(WbxmlElement.parent(child.tag(), list));
                    placed = true;
                }
            } else {
                children.add(child);
            }
        }
        if (!placed) {
            children.add(WbxmlElement.el("Calendar:Exceptions").children(list).build());
        }
        return new ItemContent.Pim(pim.itemClass(), WbxmlElement.parent(data.tag(), children));
    }

    private static final java.time.format.DateTimeFormatter COMPACT = java.time.format.DateTimeFormatter
            .ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC);

    /**
     * An instance id (MS-ASAIRS 2.2.2.25: a date-time, {@code 2030-01-05T09:00:00.000Z}; the compact
     * {@code 20300105T090000Z} is taken too) in the compact form of ExceptionStartTime, or {@code null}.
     */
    static String instanceStart(String instanceId) {
        try {
            return COMPACT.format(java.time.Instant.parse(instanceId));
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return COMPACT.format(COMPACT.parse(instanceId, java.time.Instant::from));
            } catch (java.time.format.DateTimeParseException again) {
                return null;
            }
        }
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

    /** A draft the phone wrote is read (MS-ASEMAIL Read); Flag and Categories as sent. */
    private static final EmailFlags DRAFT_FLAGS = EmailFlags.UNREAD.withRead(true);

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
            case UNAVAILABLE, CREDENTIALS_REFUSED -> SyncStatus.RETRY;
        };
    }
}
