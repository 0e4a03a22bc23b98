package dev.easgate.core.command.estimate;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.StoreFailures;
import dev.easgate.core.command.sync.CollectionOptions;
import dev.easgate.core.command.sync.PendingChanges;
import dev.easgate.core.command.sync.SyncProtocolException;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * GetItemEstimate (MS-ASCMD 2.2.1.9): one Response per requested collection with its Status (2.2.3.177.7: 1
 * success, 2 unknown collection, 3 sync state not primed (SyncKey 0: no Sync since the initial one), 4 invalid sync
 * key) and the Estimate of changes pending against the device's {@link CollectionState}, by the rule Ping and Sync
 * use ({@link PendingChanges}). A FilterType in the
 * request's Options (or, in 12.x, in the Collection) counts with that window; otherwise the collection's stored
 * Sync options apply. The sync key is never moved.
 */
public final class GetItemEstimateHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(GetItemEstimateHandler.class);
    static final int SUCCESS = 1;
    static final int INVALID_COLLECTION = 2;
    static final int NOT_PRIMED = 3;
    static final int INVALID_SYNC_KEY = 4;
    /** MS-ASCMD 2.2.2 common status 103: the request does not follow the schema (14.0+). */
    static final int INVALID_XML = 103;
    /** MS-ASCMD 2.2.2 common status 111: a transient server error, the client retries later (14.0+). */
    static final int SERVER_ERROR_RETRY_LATER = 111;

    private final MailStore store;
    private final StateStore state;
    private final PendingChanges pending;

    public GetItemEstimateHandler(MailStore store, StateStore state, PendingChanges pending) {
        this.store = Objects.requireNonNull(store, "store");
        this.state = Objects.requireNonNull(state, "state");
        this.pending = Objects.requireNonNull(pending, "pending");
    }

    @Override
    public EasCommand command() {
        return EasCommand.GET_ITEM_ESTIMATE;
    }

    private record Wanted(String collectionId, String syncKey, WbxmlElement options, String filterType) {
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        List<Wanted> wanted;
        try {
            wanted = parse(request.body());
        } catch (IllegalArgumentException e) {
            LOG.info("getitemestimate refused user={} device={}: {}", request.user(),
                    request.deviceKey().deviceId(), e.getMessage());
            if (!request.version().atLeast(ProtocolVersion.V14_0)) {
                return Mono.just(CommandResponse.http(400));
            }
            return Mono.just(CommandResponse.ok(WbxmlElement.el(CodePage.GET_ITEM_ESTIMATE, "GetItemEstimate")
                    .child("Status", INVALID_XML).build()));
        }
        return store.folders(request.user()).collectMap(Folder::id)
                .flatMap(folders -> Flux.fromIterable(wanted)
                        .concatMap(w -> estimate(request, folders, w))
                        .collectList())
                .map(responses -> CommandResponse.ok(WbxmlElement.el(CodePage.GET_ITEM_ESTIMATE, "GetItemEstimate")
                        .children(responses).build()))
                .onErrorResume(StoreFailures::credentialsRefused, e -> {
                    LOG.debug("getitemestimate failed user={} device={}: {}", request.user(),
                            request.deviceKey().deviceId(), e.getMessage()); // the store logged it once
                    // 2.2.3.177.7 has no server error: 14.0+ gets the common status 111 ServerErrorRetryLater
                    // (MS-ASCMD 2.2.2), older clients HTTP 503 with Retry-After
                    if (!request.version().atLeast(ProtocolVersion.V14_0)) {
                        return Mono.just(StoreFailures.serviceUnavailable());
                    }
                    return Mono.just(CommandResponse.ok(WbxmlElement.el(CodePage.GET_ITEM_ESTIMATE,
                            "GetItemEstimate").child("Status", SERVER_ERROR_RETRY_LATER).build()));
                });
    }

    private static List<Wanted> parse(WbxmlElement body) {
        if (body == null || !body.matches("GetItemEstimate:GetItemEstimate")) {
            throw new IllegalArgumentException("not a GetItemEstimate request");
        }
        WbxmlElement collections = body.child("GetItemEstimate:Collections");
        if (collections == null) {
            throw new IllegalArgumentException("no Collections");
        }
        List<Wanted> wanted = new ArrayList<>();
        for (WbxmlElement collection : collections.children("GetItemEstimate:Collection")) {
            String id = collection.childText("GetItemEstimate:CollectionId");
            String key = collection.childText("AirSync:SyncKey");
            if (id == null || key == null) {
                throw new IllegalArgumentException("a collection without CollectionId or SyncKey");
            }
            // 12.x puts FilterType in the Collection, 14.0+ in airsync:Options
            wanted.add(new Wanted(id.strip(), key.strip(), collection.child("AirSync:Options"),
                    collection.childText("AirSync:FilterType")));
        }
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("no Collection");
        }
        return wanted;
    }

    private Mono<WbxmlElement> estimate(CommandRequest request, Map<String, Folder> folders, Wanted wanted) {
        Folder folder = folders.get(wanted.collectionId());
        if (folder == null) {
            return Mono.just(refuse(request, wanted, INVALID_COLLECTION, "unknown collection"));
        }
        if (wanted.syncKey().equals("0")) {
            return Mono.just(refuse(request, wanted, NOT_PRIMED, "sync key 0"));
        }
        return state.collection(request.deviceKey(), wanted.collectionId())
                .map(Optional::of).defaultIfEmpty(Optional.empty())
                .flatMap(found -> {
                    CollectionState current = found.orElse(null);
                    if (current == null || !current.syncKey().equals(wanted.syncKey())) {
                        return Mono.just(refuse(request, wanted, INVALID_SYNC_KEY, "invalid sync key"));
                    }
                    Instant cutoff;
                    try {
                        cutoff = options(current, wanted).cutoff(folder.itemClass(), request.receivedAt());
                    } catch (SyncProtocolException | IllegalArgumentException e) {
                        return Mono.just(refuse(request, wanted, INVALID_COLLECTION, "malformed options"));
                    }
                    return pending.count(request.user(), folder, current, cutoff)
                            .map(count -> response(SUCCESS, wanted.collectionId(), count));
                });
    }

    /** The stored Sync options, with the FilterType of this request when it names one. */
    private static CollectionOptions options(CollectionState current, Wanted wanted) {
        CollectionOptions stored = CollectionOptions.decode(current.options());
        WbxmlElement options = wanted.options();
        if (options == null && wanted.filterType() != null) {
            options = WbxmlElement.el(CodePage.AIR_SYNC, "Options").child("FilterType", wanted.filterType()).build();
        }
        if (options == null || options.child("AirSync:FilterType") == null) {
            return stored;
        }
        return new CollectionOptions(List.of(options), stored.supported());
    }

    private static WbxmlElement refuse(CommandRequest request, Wanted wanted, int status, String reason) {
        LOG.info("getitemestimate refused user={} device={} collection={} status={}: {}", request.user(),
                request.deviceKey().deviceId(), wanted.collectionId(), status, reason);
        return response(status, wanted.collectionId(), -1);
    }

    private static WbxmlElement response(int status, String collectionId, long estimate) {
        return WbxmlElement.el(CodePage.GET_ITEM_ESTIMATE, "Response")
                .child("Status", status)
                .child("Collection", c -> {
                    c.child("CollectionId", collectionId);
                    if (estimate >= 0) {
                        c.child("Estimate", estimate);
                    }
                })
                .build();
    }
}
