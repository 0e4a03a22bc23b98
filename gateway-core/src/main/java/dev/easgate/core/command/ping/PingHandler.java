package dev.easgate.core.command.ping;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.state.StateStoreUnavailableException;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.StoreFailures;
import dev.easgate.core.command.sync.PendingChanges;
import dev.easgate.core.heartbeat.HeartbeatHub;
import dev.easgate.core.heartbeat.ParkOutcome;
import dev.easgate.core.heartbeat.ParkListener;
import dev.easgate.core.heartbeat.ParkRequest;
import dev.easgate.core.logging.RequestMdc;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * Ping (MS-ASCMD 2.2.1.13; statuses 2.2.3.177.12), parked on the {@link HeartbeatHub} until a watched folder
 * changes or the heartbeat expires.
 *
 * <ol>
 *   <li>A body that is not a well-formed Ping: Status 4.</li>
 *   <li>HeartbeatInterval or Folders omitted (or no body at all): taken from the device's last Ping; still missing:
 *       Status 3, the client sends a full Ping.</li>
 *   <li>HeartbeatInterval outside the configured bounds: Status 5 with HeartbeatInterval = the nearest bound.</li>
 *   <li>More folders than ping.max-folders: Status 6 with MaxFolders.</li>
 *   <li>The request is kept as the last Ping, and the device's lastPing set.</li>
 *   <li>A folder id the user's store does not have: Status 7, the device runs FolderSync.</li>
 *   <li>Folders that hold something for the device ({@link PendingChanges}, the rule Sync and GetItemEstimate
 *       use too, so a device's own writes never count): Status 2 listing exactly those; otherwise Status 1.</li>
 * </ol>
 * A store failure gives Status 8.
 */
public final class PingHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PingHandler.class);

    private final MailStore store;
    private final StateStore state;
    private final HeartbeatBounds bounds;
    private final int maxFolders;
    private final PendingChanges pending;
    private final HeartbeatHub hub;
    private final int parkedMax;
    private final Duration retryAfter;

    public PingHandler(MailStore store, StateStore state, PendingChanges pending, HeartbeatBounds bounds,
                       int maxFolders, HeartbeatHub hub, int parkedMax, Duration retryAfter) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.parkedMax = parkedMax;
        this.retryAfter = retryAfter;
        this.store = Objects.requireNonNull(store, "store");
        this.state = Objects.requireNonNull(state, "state");
        this.bounds = Objects.requireNonNull(bounds, "bounds");
        this.maxFolders = maxFolders;
        this.pending = Objects.requireNonNull(pending, "pending");
    }

    @Override
    public EasCommand command() {
        return EasCommand.PING;
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        PingRequest asked;
        try {
            asked = PingRequest.parse(request.body());
        } catch (PingRequest.MalformedPingException e) {
            return refuse(request, 4, e.getMessage());
        }
        Mono<PingRequest> merged = asked.complete() ? Mono.just(asked)
                : state.value(request.deviceKey(), PingRequest.VALUE)
                        .map(bytes -> Optional.ofNullable(PingRequest.decode(bytes)))
                        .defaultIfEmpty(Optional.empty())
                        .map(last -> asked.orElse(last.orElse(null)));
        return merged.flatMap(ping -> validated(request, ping))
                // MS-ASCMD 2.2.3.177.11: 8, a server error the client retries
                .onErrorResume(MailStoreException.class, e -> {
                    if (StoreFailures.credentialsRefused(e)) {
                        LOG.debug("Ping status 8 for user={} device={}: {}", request.user(),
                                request.query().deviceId(), e.getMessage()); // the store logged it once
                        return ok(ping(8));
                    }
                    return refuse(request, 8, "store failed: " + e.kind());
                });
    }

    private Mono<CommandResponse> validated(CommandRequest request, PingRequest ping) {
        if (!ping.complete()) {
            return refuse(request, 3, "HeartbeatInterval or Folders missing and no earlier Ping to reuse");
        }
        HeartbeatBounds.Verdict verdict = bounds.checkSeconds(ping.heartbeatSeconds());
        if (!verdict.accepted()) {
            LOG.info("Ping status 5 for user={} device={}: heartbeat {}s outside {}..{}s", request.user(),
                    request.query().deviceId(), ping.heartbeatSeconds(), bounds.min().toSeconds(),
                    bounds.max().toSeconds());
            return ok(ping(5).child("HeartbeatInterval", verdict.limit().toSeconds()));
        }
        if (ping.folders().size() > maxFolders) {
            LOG.info("Ping status 6 for user={} device={}: {} folders, at most {}", request.user(),
                    request.query().deviceId(), ping.folders().size(), maxFolders);
            return ok(ping(6).child("MaxFolders", maxFolders));
        }
        Mono<Void> touch = DeviceRecord.activityWorthWriting(request.device().lastPing(), request.receivedAt())
                ? state.device(request.deviceKey()).defaultIfEmpty(request.device())
                        .flatMap(device -> state.putDevice(device.withLastPing(request.receivedAt())))
                : Mono.empty();
        Mono<Void> remember = state.putValue(request.deviceKey(), PingRequest.VALUE, ping.encode())
                .then(touch)
                // during a state store outage the Ping still parks; only the bookkeeping is lost
                .onErrorResume(StateStoreUnavailableException.class, e -> {
                    LOG.warn("Ping of user={} device={} not recorded: {}", request.user(),
                            request.query().deviceId(), e.getMessage());
                    return Mono.empty();
                });
        return remember.then(folders(request.user(), ping))
                .flatMap(existing -> {
                    List<String> unknown = unknown(ping, existing);
                    if (!unknown.isEmpty()) {
                        return refuse(request, 7, unknown.size() + " folder(s) not in the store");
                    }
                    return park(request, ping, existing);
                });
    }

    /**
     * The user's folders as the store last listed them, listed anew only when a watched folder is not among them:
     * a Ping parking again must not cost a listing (a folder deleted meanwhile wakes it with a hierarchy change).
     */
    private Mono<Map<String, Folder>> folders(String user, PingRequest ping) {
        return store.listedFolders(user).collectMap(Folder::id, Function.identity())
                .flatMap(listed -> unknown(ping, listed).isEmpty() ? Mono.just(listed)
                        : store.folders(user).collectMap(Folder::id, Function.identity()));
    }

    private static List<String> unknown(PingRequest ping, Map<String, Folder> folders) {
        return ping.folderIds().stream().filter(id -> !folders.containsKey(id)).toList();
    }

    /**
     * Parks the Ping: the hub subscribes to the user's changes first and then runs the store check, so a change
     * landing in between still wakes it (MS-ASCMD 3.2.5.8: status 2 lists exactly the changed folders).
     */
    private Mono<CommandResponse> park(CommandRequest request, PingRequest ping, Map<String, Folder> folders) {
        if (hub.parked() >= parkedMax) {
            LOG.warn("503 for Ping of user={} device={}: {} requests parked on this node", request.user(),
                    request.query().deviceId(), parkedMax);
            return Mono.just(new CommandResponse(503, null, null, null, null,
                    Map.of("Retry-After", Long.toString(retryAfter.toSeconds()))));
        }
        // the folder ids as the store holds them (its strings, shared), not the request's copies
        List<String> folderIds = ping.folderIds().stream().map(id -> folders.get(id).id()).toList();
        // the device as the request's own strings (which its exchange and log tags hold too while it waits), not the
        // state store's decoded copies of them
        DeviceKey device = new DeviceKey(request.user(), request.query().deviceId());
        ParkRequest parkRequest = new ParkRequest("Ping", device, Set.copyOf(folderIds),
                Duration.ofSeconds(ping.heartbeatSeconds()),
                pending.pendingFolders(request.deviceKey(), ping.folderIds(), watched(ping, folders))
                        .<Set<String>>map(Set::copyOf)
                        // state store down: park anyway; the bus gap on reconnect wakes it with every folder
                        .onErrorResume(StateStoreUnavailableException.class, e -> Mono.just(Set.of())));
        // the request's pipeline is let go while parked: what waits is one Waiter (the device, the folder ids)
        return Mono.just(CommandResponse.parked(new ParkedPing(hub, parkRequest, folderIds)));
    }

    /**
     * The answer of a parked Ping: subscribing parks it on the hub ({@link HeartbeatHub#hold}, no Reactor chain);
     * the outcome is turned into the Ping response. What it keeps while parked is its {@link Waiter}.
     */
    private static final class ParkedPing extends Mono<CommandResponse> {
        private final HeartbeatHub hub;
        private final ParkRequest request;
        private final List<String> folderIds;

        ParkedPing(HeartbeatHub hub, ParkRequest request, List<String> folderIds) {
            this.hub = hub;
            this.request = request;
            this.folderIds = folderIds;
        }

        @Override
        public void subscribe(CoreSubscriber<? super CommandResponse> actual) {
            Waiter waiter = new Waiter(actual, request.device(), folderIds);
            actual.onSubscribe(waiter);
            waiter.park(hub.hold(request, actual.currentContext(), waiter));
        }
    }

    /** One parked Ping: its subscriber, the device and the watched folders (in the device's order). */
    private static final class Waiter extends Operators.MonoSubscriber<ParkOutcome, CommandResponse>
            implements ParkListener {
        private final DeviceKey device;
        private final List<String> folderIds;
        private volatile Disposable park;

        Waiter(CoreSubscriber<? super CommandResponse> actual, DeviceKey device, List<String> folderIds) {
            super(actual);
            this.device = device;
            this.folderIds = folderIds;
        }

        void park(Disposable value) {
            park = value;
            if (isCancelled()) {
                value.dispose();
            }
        }

        /** Answers on the thread that woke it, with this Ping's log tags, not those of whoever woke it. */
        @Override
        public void ended(ParkOutcome outcome) {
            try (RequestMdc.Scope tags = RequestMdc.open(device.user(), device.deviceId(), "Ping")) {
                complete(answer(device.user(), device.deviceId(), folderIds, outcome));
            }
        }

        @Override
        public void failed(Throwable error) {
            // a watched folder gone since the list the Ping was checked against: as if it had been listed
            if (error instanceof MailStoreException e && e.kind() == MailStoreException.Kind.NOT_FOUND) {
                ended(new ParkOutcome(ParkOutcome.Reason.HIERARCHY_CHANGED, Set.of()));
            } else {
                try (RequestMdc.Scope tags = RequestMdc.open(device.user(), device.deviceId(), "Ping")) {
                    actual.onError(error);
                }
            }
        }

        @Override
        public void cancel() {
            super.cancel();
            Disposable current = park;
            if (current != null) {
                current.dispose();
            }
        }
    }

    /** Only the watched folders, so that the parked check keeps no more of the folder list than it needs. */
    private static Map<String, Folder> watched(PingRequest ping, Map<String, Folder> folders) {
        return ping.folderIds().stream().distinct()
                .collect(Collectors.toUnmodifiableMap(Function.identity(), folders::get));
    }

    private static CommandResponse answer(String user, String deviceId, List<String> folderIds, ParkOutcome outcome) {
        LOG.debug("Ping of user={} device={} unparked: {}", user, deviceId, outcome.reason());
        return switch (outcome.reason()) {
            case CHANGED, BUS_GAP -> {
                // in the order the device listed them
                List<String> changed = folderIds.stream().filter(outcome.changedFolders()::contains).toList();
                yield CommandResponse.ok(ping(2).child("Folders", folders -> changed.forEach(id -> folders
                        .child("Folder", id))).build());
            }
            case HIERARCHY_CHANGED -> {
                LOG.info("Ping status 7 for user={} device={}: the folder hierarchy changed while parked", user,
                        deviceId);
                yield CommandResponse.ok(ping(7).build());
            }
            // MS-ASCMD 2.2.3.177.12 status 1: the heartbeat expired (also: superseded by a newer request, draining)
            case EXPIRED, SUPERSEDED, DRAINED -> CommandResponse.ok(ping(1).build());
        };
    }

    private static WbxmlElement.Builder ping(int status) {
        return WbxmlElement.el(CodePage.PING, "Ping").child("Status", status);
    }

    private static Mono<CommandResponse> ok(WbxmlElement.Builder body) {
        return Mono.just(CommandResponse.ok(body.build()));
    }

    private static Mono<CommandResponse> refuse(CommandRequest request, int status, String reason) {
        LOG.info("Ping status {} for user={} device={}: {}", status, request.user(), request.query().deviceId(),
                reason);
        return ok(ping(status));
    }
}
