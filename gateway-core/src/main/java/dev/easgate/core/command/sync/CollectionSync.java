package dev.easgate.core.command.sync;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.logging.LogText;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.core.command.StoreFailures;
import dev.easgate.core.content.ContentOptions;
import dev.easgate.core.content.ContentRenderer;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One collection of a Sync request: checks the key, applies the client's commands, pages the server's changes and
 * moves the key with a compare-and-set.
 *
 * <p>Idempotent retry (MS-ASCMD 2.2.3.181.4 SyncKey): a request that repeats the key the current state was made
 * from gets the stored answer again, byte for byte, and nothing is applied twice.
 *
 * <p>Races: a request that carries commands first claims the next key (compare-and-set from the key it holds to
 * a state with the next key, no stored answer yet and who holds the claim, see {@link SyncClaims}), and only then
 * writes to the store, so of two racing requests with the same key only one applies its commands. The loser reads
 * the state again: once the winner's answer is stored it replays it; while the winner is still working it checks
 * again every {@value #POLL_MILLIS} ms for up to {@value #POLL_ATTEMPTS} times, then answers status 16 (retry).
 * When the state moved on otherwise it answers status 3 and the client syncs from key 0. A request without
 * commands writes nothing until its final compare-and-set, and loses the same way.
 *
 * <p>Crashes: a claim whose holder died (the node was killed between the claim and the answer) is taken over by
 * the retry, which processes the request again; the store finds the Adds of the first attempt
 * ({@link ClientCommandApplier}).
 */
final class CollectionSync {
    private static final Logger LOG = LoggerFactory.getLogger(CollectionSync.class);
    static final int POLL_MILLIS = 50;
    static final int POLL_ATTEMPTS = 100;

    private final SyncContext context;

    CollectionSync(SyncContext context) {
        this.context = context;
    }

    /**
     * What one collection answered.
     *
     * @param element the Collection element of the response
     * @param changed the answer says something (a new key, a status, commands): not part of an empty response
     * @param sent    server commands sent (counts against the request's WindowSize)
     * @param bytes    the encoded size of those commands (counts against sync.max-response-bytes)
     * @param replayed the kept answer of a key already answered (a retry), sent again
     */
    record Outcome(WbxmlElement element, boolean changed, int sent, long bytes, boolean replayed) {
        Outcome(WbxmlElement element, boolean changed, int sent, long bytes) {
            this(element, changed, sent, bytes, false);
        }

        Outcome(WbxmlElement element, boolean changed, int sent) {
            this(element, changed, sent, 0);
        }
    }

    /**
     * What is left of the response's size budget (sync.max-response-bytes) for this collection's server commands.
     *
     * @param bytes the bytes left
     * @param first nothing was sent yet in this response: the first item goes even when it alone is larger
     */
    record ByteBudget(long bytes, boolean first) {
        static final ByteBudget UNLIMITED = new ByteBudget(Long.MAX_VALUE, true);
    }

    Mono<Outcome> sync(CollectionRequest request, int window) {
        return sync(request, window, ByteBudget.UNLIMITED);
    }

    Mono<Outcome> sync(CollectionRequest request, int window, ByteBudget budget) {
        Folder folder = context.folders().get(request.collectionId());
        if (folder == null) {
            // MS-ASCMD 2.2.3.177.17 status 12: the collection is not (any more) in the hierarchy
            LOG.info("sync refused user={} device={} collection={}: unknown collection", context.user(),
                    context.device().deviceId(), request.collectionId());
            return Mono.just(status(request, request.syncKey(), SyncStatus.HIERARCHY_CHANGED));
        }
        if (request.initial()) {
            return initial(request);
        }
        return context.state().collection(context.device(), request.collectionId())
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(state -> existing(request, folder, state.orElse(null), window, budget, 0));
    }

    /** MS-ASCMD 2.2.1.21: SyncKey 0 starts over; the answer is key 1 and no items. */
    private Mono<Outcome> initial(CollectionRequest request) {
        WbxmlElement element = collection(request, SyncKeys.FIRST, SyncStatus.SUCCESS).build();
        CollectionOptions options = CollectionOptions.NONE.update(request);
        CollectionState state = new CollectionState(SyncKeys.FIRST, 0, Map.of(), SyncKeys.INITIAL,
                WbxmlEncoder.encode(element), options.encode());
        return context.state().replaceCollection(context.device(), request.collectionId(), null, state)
                .thenReturn(new Outcome(element, true, 0));
    }

    private Mono<Outcome> existing(CollectionRequest request, Folder folder, CollectionState state, int window,
                                   ByteBudget budget, int attempt) {
        String key = request.syncKey();
        if (state == null || !state.syncKey().equals(key)) {
            return retried(request, folder, state, window, budget, attempt);
        }
        CollectionOptions options = CollectionOptions.decode(state.options()).update(request);
        ContentOptions content;
        try {
            content = options.content(context.version(), folder.itemClass());
            options.cutoff(folder.itemClass(), context.now());
        } catch (SyncProtocolException e) {
            LOG.info("sync refused user={} device={} collection={}: {}", context.user(),
                    context.device().deviceId(), request.collectionId(), e.getMessage());
            return Mono.just(status(request, key, SyncStatus.PROTOCOL_ERROR));
        }
        String next = SyncKeys.next(key);
        byte[] optionBytes = options.encode();
        if (request.commands().isEmpty()) {
            return serverChanges(request, folder, options, content, state.watermark(), state.known(), window,
                    budget)
                    .flatMap(page -> {
                        if (page.isEmpty()) {
                            return unchanged(request, state, optionBytes, page.diff().watermark());
                        }
                        return commit(request, key, next, page, List.of(), optionBytes)
                                .flatMap(stored -> stored ? Mono.just(page.outcome(request, next, List.of(),
                                                context.version()))
                                        : reread(request, folder, window, budget, attempt));
                    });
        }
        CollectionState claim = context.claims().claim(state, next, optionBytes);
        return context.state().replaceCollection(context.device(), request.collectionId(), key, claim)
                .flatMap(claimed -> claimed
                        ? applyAndAnswer(request, folder, state, claim, options, content, window, budget, attempt)
                        : reread(request, folder, window, budget, attempt));
    }

    /**
     * Applies the commands under the claim and stores the answer by a compare-and-set from the claim's key. When that
     * fails, the claim was taken over (this instance was presumed dead): the answer of the instance that took over
     * is replayed instead, so the device never gets two answers for one key.
     */
    private Mono<Outcome> applyAndAnswer(CollectionRequest request, Folder folder, CollectionState state,
                                         CollectionState claim, CollectionOptions options, ContentOptions content,
                                         int window, ByteBudget budget, int attempt) {
        String next = SyncClaims.nextKey(claim);
        ClientCommandApplier applier = new ClientCommandApplier(context.store(), context.user(), folder,
                context.deletedItemsId(), content, options.supportedNames(), request.deletesMove(),
                clientId -> SyncClaims.writeId(context.device(), request.collectionId(), claim, clientId),
                SyncClaims.again(state), context.meetings());
        return applier.apply(request.commands(), state.known())
                .flatMap(applied -> serverChanges(request, folder, options, content, state.watermark(),
                        applied.known(), window, budget)
                        .flatMap(page -> commit(request, claim.syncKey(), next, page, applied.responses(),
                                options.encode())
                                .flatMap(stored -> stored
                                        ? Mono.just(page.outcome(request, next, applied.responses(),
                                                context.version()))
                                        : reread(request, folder, window, budget, attempt))))
                .onErrorResume(e -> rollback(request, claim, state, e));
    }

    /** A key that is not the current one: a retry to replay, a race to wait out, or status 3. */
    private Mono<Outcome> retried(CollectionRequest request, Folder folder, CollectionState state, int window,
                                  ByteBudget budget, int attempt) {
        String key = request.syncKey();
        if (state != null && state.previousKey().equals(key)) {
            if (state.previousResponse().length > 0) {
                return Mono.just(new Outcome(WbxmlDecoder.DEFAULT.decode(state.previousResponse()), true, 0, 0,
                        true));
            }
            if (context.claims().abandoned(state)) {
                return takeOver(request, folder, state, window, budget, attempt);
            }
            if (attempt < POLL_ATTEMPTS) {
                // the request that claimed this key is still working: ask again shortly
                return Mono.delay(Duration.ofMillis(POLL_MILLIS))
                        .then(reread(request, folder, window, budget, attempt));
            }
            // MS-ASCMD 2.2.3.177.17: 16, retry: the claim is held by a request still at work (here or on another
            // node); the retry replays its answer, or takes the claim over once its holder is gone
            LOG.info("sync deferred user={} device={} collection={}: the key is claimed by a request at work",
                    LogText.escape(context.user()), LogText.escape(context.device().deviceId()),
                    LogText.escape(request.collectionId()));
            return Mono.just(status(request, key, SyncStatus.RETRY));
        }
        // MS-ASCMD 2.2.3.177.17: status 3, the client must start over from SyncKey 0
        LOG.info("sync refused user={} device={} collection={}: invalid sync key", context.user(),
                context.device().deviceId(), request.collectionId());
        return Mono.just(status(request, SyncKeys.INITIAL, SyncStatus.INVALID_SYNC_KEY));
    }

    /**
     * The claim's holder died between the claim and the answer: the key is given back with the claim's id (see
     * {@link SyncClaims}) and the request is processed again; what the first attempt wrote is found, not doubled.
     */
    private Mono<Outcome> takeOver(CollectionRequest request, Folder folder, CollectionState claim, int window,
                                   ByteBudget budget, int attempt) {
        CollectionState.Claim held = claim.claim();
        LOG.info("sync claim taken over user={} device={} collection={} from instance={} since={}",
                LogText.escape(context.user()), LogText.escape(context.device().deviceId()),
                LogText.escape(request.collectionId()), held == null ? "(earlier release)" : held.holder(),
                held == null ? "?" : held.since());
        return context.state().replaceCollection(context.device(), request.collectionId(), claim.syncKey(),
                        SyncClaims.release(claim))
                .then(reread(request, folder, window, budget, attempt));
    }

    private Mono<Outcome> reread(CollectionRequest request, Folder folder, int window, ByteBudget budget,
                                 int attempt) {
        return context.state().collection(context.device(), request.collectionId())
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(state -> existing(request, folder, state.orElse(null), window, budget, attempt + 1));
    }

    /**
     * Nothing to send: the key stays; new options, and a watermark moved past changes the device already holds
     * (its own writes), are remembered under the same key, so later checks start from there.
     */
    private Mono<Outcome> unchanged(CollectionRequest request, CollectionState state, byte[] optionBytes,
                                    long watermark) {
        Outcome outcome = new Outcome(collection(request, state.syncKey(), SyncStatus.SUCCESS).build(), false, 0);
        long nextWatermark = Math.max(watermark, state.watermark());
        if (Arrays.equals(optionBytes, state.options()) && nextWatermark == state.watermark()) {
            return Mono.just(outcome);
        }
        CollectionState next = new CollectionState(state.syncKey(), nextWatermark, state.known(),
                state.previousKey(), state.previousResponse(), optionBytes, state.claim());
        return context.state().replaceCollection(context.device(), request.collectionId(), state.syncKey(), next)
                .thenReturn(outcome);
    }

    /** Stores the new key with its answer; emits whether the compare-and-set succeeded. */
    private Mono<Boolean> commit(CollectionRequest request, String expectedKey, String next, Page page,
                                 List<WbxmlElement> responses, byte[] optionBytes) {
        WbxmlElement element = page.outcome(request, next, responses, context.version()).element();
        CollectionState state = new CollectionState(next, page.diff().watermark(), page.known(), request.syncKey(),
                WbxmlEncoder.encode(element), optionBytes);
        return context.state().replaceCollection(context.device(), request.collectionId(), expectedKey, state);
    }

    /** A store failure after the claim: give the key back so the client's retry is processed afresh. */
    private Mono<Outcome> rollback(CollectionRequest request, CollectionState claim, CollectionState previous,
                                   Throwable error) {
        boolean refused = StoreFailures.credentialsRefused(error);
        if (refused) {
            LOG.debug("sync failed user={} device={} collection={}: {}", context.user(), context.device().deviceId(),
                    request.collectionId(), error.toString()); // the store logged the refused login once
        } else {
            LOG.warn("sync failed user={} device={} collection={}: {}", context.user(), context.device().deviceId(),
                    request.collectionId(), error.toString());
        }
        // MS-ASCMD 2.2.3.177.17: 16, retry: the server could not reach the store (or its login was refused)
        int status = refused || error instanceof MailStoreException e && e.kind() == MailStoreException.Kind.UNAVAILABLE
                ? SyncStatus.RETRY : SyncStatus.SERVER_ERROR;
        return context.state().replaceCollection(context.device(), request.collectionId(), claim.syncKey(),
                        SyncClaims.released(previous, claim))
                .thenReturn(status(request, request.syncKey(), status));
    }

    /** The page of server changes to send, with the items to render and their encoded size. */
    record Page(SyncDiff.Result diff, Map<String, Long> known, List<WbxmlElement> commands, long bytes) {
        boolean isEmpty() {
            return commands.isEmpty() && !diff.moreAvailable();
        }

        Outcome outcome(CollectionRequest request, String key, List<WbxmlElement> responses,
                        ProtocolVersion version) {
            WbxmlElement.Builder element = collection(request, key, SyncStatus.SUCCESS);
            if (!responses.isEmpty()) {
                element.child("Responses", r -> r.children(responses));
            }
            if (diff.moreAvailable()) {
                element.empty("MoreAvailable");
            }
            if (!commands.isEmpty()) {
                element.child("Commands", c -> c.children(commands));
            }
            return new Outcome(element.build(), true, commands.size(), bytes);
        }
    }

    private Mono<Page> serverChanges(CollectionRequest request, Folder folder, CollectionOptions options,
                                     ContentOptions content, long watermark, Map<String, Long> known, int window,
                                     ByteBudget budget) {
        if (!request.wantsChanges()) {
            // GetChanges 0 (MS-ASCMD 2.2.3.84): send nothing, but when nothing but the device's own writes is
            // pending, move the watermark past them as a Sync with changes would
            return context.store().changesSince(context.user(), folder.id(), watermark).map(changes -> {
                Instant cutoff = options.cutoff(folder.itemClass(), context.now());
                boolean nothingPending = PendingChanges.count(watermark, known, changes, cutoff) == 0;
                long next = nothingPending ? Math.max(watermark, changes.highestModSeq()) : watermark;
                return new Page(new SyncDiff.Result(List.of(), known, next, false, 0), known, List.of(), 0);
            });
        }
        List<String> refused = known.entrySet().stream()
                .filter(e -> ClientCommandApplier.refused(e.getValue())).map(Map.Entry::getKey).toList();
        if (refused.isEmpty()) {
            return context.store().changesSince(context.user(), folder.id(), watermark)
                    .flatMap(changes -> page(folder, options, content, watermark, known, window, budget, changes));
        }
        // items whose Change or Delete the store refused go back to the phone (ClientCommandApplier): listed with
        // the store's changes, the phone's edit as a version no store version equals, its delete as not known
        Map<String, Long> reverted = new HashMap<>(known);
        refused.forEach(id -> reverted.remove(id, ClientCommandApplier.REFUSED_DELETE));
        return context.store().changesSince(context.user(), folder.id(), watermark)
                .zipWith(context.store().items(context.user(), folder.id(), refused)
                        .map(item -> new ItemVersion(item.id(), item.modSeq(), item.date())).collectList())
                .flatMap(both -> page(folder, options, content, watermark, reverted, window, budget,
                        withoutSetAside(folder.id(), withResent(both.getT1(), refused, both.getT2()))));
    }

    /**
     * The store's changes, and the items to send again that they do not list (ahead of the rest); a refused item the
     * store no longer has is vanished (the phone's copy goes).
     */
    private static FolderChanges withResent(FolderChanges changes, List<String> refused, List<ItemVersion> resend) {
        Set<String> listed = new HashSet<>();
        changes.changed().forEach(version -> listed.add(version.id()));
        List<ItemVersion> changed = new ArrayList<>();
        resend.stream().filter(version -> !listed.contains(version.id())).forEach(changed::add);
        changed.addAll(changes.changed());
        Set<String> found = new HashSet<>();
        resend.forEach(version -> found.add(version.id()));
        List<String> vanished = new ArrayList<>(changes.vanished());
        refused.stream().filter(id -> !found.contains(id) && !listed.contains(id)).forEach(vanished::add);
        return new FolderChanges(changes.highestModSeq(), changed, vanished, changes.resetRequired());
    }

    /** The changes without the items loop detection set aside (LoopGuard): they are not offered again. */
    private FolderChanges withoutSetAside(String collectionId, FolderChanges changes) {
        Set<String> setAside = context.setAside(collectionId);
        if (setAside.isEmpty()) {
            return changes;
        }
        List<ItemVersion> kept = changes.changed().stream().filter(v -> !setAside.contains(v.id())).toList();
        return new FolderChanges(changes.highestModSeq(), kept, changes.vanished(), changes.resetRequired());
    }

    /**
     * One page: at most {@code window} changes, and no more items than fit in the byte budget. Items past the
     * budget are not part of the page at all: the diff is taken again for the changes sent, so the known map and
     * the watermark (which stays) leave them pending, and MoreAvailable says so.
     */
    private Mono<Page> page(Folder folder, CollectionOptions options, ContentOptions content, long watermark,
                            Map<String, Long> known, int window, ByteBudget budget, FolderChanges changes) {
        Instant cutoff = options.cutoff(folder.itemClass(), context.now());
        SyncDiff.Result diff = SyncDiff.compute(watermark, known, changes, cutoff, window);
        List<String> wanted = new ArrayList<>();
        for (ServerChange change : diff.page()) {
            if (change.kind() == ServerChange.Kind.ADD || change.kind() == ServerChange.Kind.CHANGE) {
                wanted.add(change.id());
            }
        }
        Mono<Map<String, Item>> items = wanted.isEmpty() ? Mono.just(Map.of())
                : context.store().items(context.user(), folder.id(), wanted).collectMap(Item::id);
        return items.flatMap(found -> {
            List<WbxmlElement> commands = new ArrayList<>();
            List<String> unread = new ArrayList<>();
            Map<String, Throwable> failures = new LinkedHashMap<>();
            long bytes = 0;
            int taken = 0;
            for (ServerChange change : diff.page()) {
                WbxmlElement command;
                try {
                    command = command(change, found.get(change.id()), content);
                } catch (RuntimeException e) {
                    // the item cannot be converted: counted by loop detection, which sets it aside in the end
                    failures.put(change.id(), e);
                    unread.add(change.id());
                    taken++;
                    continue;
                }
                if (command == null) {
                    unread.add(change.id());
                } else {
                    int size = WbxmlEncoder.encodedLength(command);
                    if (bytes + size > budget.bytes() && !(budget.first() && commands.isEmpty())) {
                        break; // sync.max-response-bytes: this change and the rest wait for the next Sync
                    }
                    bytes += size;
                    commands.add(command);
                }
                taken++;
            }
            SyncDiff.Result sent = taken == diff.page().size() ? diff
                    : SyncDiff.compute(watermark, known, changes, cutoff, taken);
            Map<String, Long> nextKnown = new HashMap<>(sent.known());
            for (String id : unread) {
                // removed between the listing and the read: the device keeps what it had, a later Sync reports
                // the removal
                Long before = known.get(id);
                if (before == null) {
                    nextKnown.remove(id);
                } else {
                    nextKnown.put(id, before);
                }
            }
            Page page = new Page(sent, nextKnown, commands, bytes);
            if (failures.isEmpty()) {
                return Mono.just(page);
            }
            if (context.loops() == null) {
                return Mono.error(failures.values().iterator().next());
            }
            // until every failed item is set aside the Sync fails as before: the device retries the same key
            return context.loops().failed(folder.id(), failures).flatMap(setAside -> {
                for (Map.Entry<String, Throwable> failure : failures.entrySet()) {
                    if (!setAside.contains(failure.getKey())) {
                        LOG.warn("sync user={} device={} collection={}: item {} cannot be converted: {}",
                                LogText.escape(context.user()), LogText.escape(context.device().deviceId()),
                                LogText.escape(folder.id()), LogText.escape(failure.getKey()),
                                failure.getValue().toString());
                        return Mono.<Page>error(failure.getValue());
                    }
                }
                return Mono.just(page);
            });
        });
    }

    private static WbxmlElement command(ServerChange change, Item item, ContentOptions content) {
        return switch (change.kind()) {
            case ADD, CHANGE -> item == null ? null
                    : WbxmlElement.el(CodePage.AIR_SYNC, change.kind() == ServerChange.Kind.ADD ? "Add" : "Change")
                            .child("ServerId", change.id())
                            .child(ContentRenderer.applicationData(item, content))
                            .build();
            case DELETE -> WbxmlElement.el(CodePage.AIR_SYNC, "Delete").child("ServerId", change.id()).build();
            case SOFT_DELETE -> WbxmlElement.el(CodePage.AIR_SYNC, "SoftDelete").child("ServerId", change.id())
                    .build();
        };
    }

    /** The start of a Collection element (MS-ASCMD 2.2.3.29.2): Class for 2.5, SyncKey, CollectionId, Status. */
    static WbxmlElement.Builder collection(CollectionRequest request, String key, int status) {
        WbxmlElement.Builder element = WbxmlElement.el(CodePage.AIR_SYNC, "Collection");
        element.optional("Class", request.className());
        return element.child("SyncKey", key)
                .child("CollectionId", request.collectionId())
                .child("Status", status);
    }

    private static Outcome status(CollectionRequest request, String key, int status) {
        return new Outcome(collection(request, key, status).build(), true, 0);
    }
}
