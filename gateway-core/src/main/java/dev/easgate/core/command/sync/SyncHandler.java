package dev.easgate.core.command.sync;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.StoreFailures;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.imip.OrganizerNotices;
import dev.easgate.core.loop.LoopGuard;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.WbxmlException;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Sync command (MS-ASCMD 2.2.1.21): resolves the request (an empty body or Partial request stands for the cached
 * previous one, 2.2.1.21.1 and 2.2.3.125), validates Wait and HeartbeatInterval, syncs each collection in turn with
 * a shared WindowSize budget ({@link CollectionSync}), and answers with the collections, or with an empty response
 * when no collection has anything to say (2.2.1.21.2). Every answered request is cached, without its commands and
 * with the keys it was answered with, as the device's "last-sync" value.
 */
public final class SyncHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SyncHandler.class);
    /** The StateStore value holding the device's cached Sync request. */
    public static final String LAST_SYNC = "last-sync";
    /** MS-ASCMD 2.2.3.199.2: WindowSize when the client gives none. */
    static final int DEFAULT_WINDOW = 100;

    private final MailStore store;
    private final StateStore state;
    private final GatewayConfig config;
    private final SyncWait wait;
    private final SyncClaims claims;
    private final OrganizerNotices meetings;
    private final LoopGuard loops;

    public SyncHandler(MailStore store, StateStore state, GatewayConfig config) {
        this(store, state, config, SyncWait.IMMEDIATE, null);
    }

    /** @param meetings what an organizer's calendar writes send to attendees, or {@code null} for nothing */
    public SyncHandler(MailStore store, StateStore state, GatewayConfig config, SyncWait wait,
                       OrganizerNotices meetings) {
        this(store, state, config, wait, meetings, null);
    }

    /** @param loops loop detection, or null for none */
    public SyncHandler(MailStore store, StateStore state, GatewayConfig config, SyncWait wait,
                       OrganizerNotices meetings, LoopGuard loops) {
        this.store = store;
        this.state = state;
        this.config = config;
        this.wait = wait;
        this.claims = SyncClaims.forNode(config.clustered());
        this.meetings = meetings;
        this.loops = loops;
    }

    @Override
    public EasCommand command() {
        return EasCommand.SYNC;
    }

    /** One resolved request as a {@link SyncWait} sees it. */
    public record Context(CommandRequest command, SyncRequest request) {
        public DeviceKey device() {
            return command.deviceKey();
        }
    }

    /**
     * One attempt's answer.
     *
     * @param body the Sync response, or {@code null} for an empty response
     * @param keys collection id to the key answered (for the request cache)
     */
    public record Result(WbxmlElement body, Map<String, String> keys) {
        public boolean empty() {
            return body == null;
        }
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest command) {
        return resolve(command).flatMap(resolved -> {
            if (resolved.refusal() != null) {
                return Mono.just(CommandResponse.ok(resolved.refusal()));
            }
            SyncRequest request = resolved.request();
            WbxmlElement invalid = checkWait(command, request);
            if (invalid != null) {
                return Mono.just(CommandResponse.ok(invalid));
            }
            Duration limit = request.waitMinutes() != null ? Duration.ofMinutes(request.waitMinutes())
                    : request.heartbeatSeconds() != null ? Duration.ofSeconds(request.heartbeatSeconds())
                    : Duration.ZERO;
            if (wait.parks() && !limit.isZero() && !limit.isNegative() && !request.hasClientCommands()) {
                // nothing to apply, everything to wait for: the wait (its first check included) is the parked
                // answer, and the request's pipeline, body and WBXML tree are let go while it waits
                return Mono.just(CommandResponse.parked(waitAndAnswer(command.withoutBody(), request.detached(),
                        limit)));
            }
            return waitAndAnswer(command, request, limit);
        });
    }

    private Mono<CommandResponse> waitAndAnswer(CommandRequest command, SyncRequest request, Duration limit) {
        return wait.await(new Context(command, request), limit, () -> attempt(command, request))
                .flatMap(result -> remember(command, request, result)
                        .then(touchDevice(command))
                        .thenReturn(result.empty() ? CommandResponse.empty() : CommandResponse.ok(result.body())))
                // the folder list itself failed (a refused DAV login fails the composite's list): MS-ASCMD
                // 2.2.3.177.17 status 16, global, "retry"; no collection is touched, every key stays
                .onErrorResume(StoreFailures::credentialsRefused, e -> {
                    LOG.debug("sync status 16 for user={} device={}: {}", command.user(),
                            command.deviceKey().deviceId(), e.getMessage()); // the store logged it once
                    return Mono.just(CommandResponse.ok(WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                            .child("Status", SyncStatus.RETRY).build()));
                });
    }

    private record Resolved(SyncRequest request, WbxmlElement refusal) {
    }

    /** The request this body stands for, or a refusal (status 4 malformed, 13 nothing cached to reuse). */
    private Mono<Resolved> resolve(CommandRequest command) {
        SyncRequest sent;
        if (command.body() == null) {
            sent = null;
        } else {
            try {
                sent = SyncRequestParser.parse(command.body());
            } catch (SyncProtocolException e) {
                return Mono.just(refuse(command, SyncStatus.PROTOCOL_ERROR, e.getMessage()));
            }
            if (!sent.partial() && !sent.collections().isEmpty()) {
                return Mono.just(new Resolved(sent, null));
            }
        }
        return state.value(command.deviceKey(), LAST_SYNC)
                .map(bytes -> {
                    SyncRequest cached;
                    try {
                        cached = SyncRequestParser.parse(WbxmlDecoder.DEFAULT.decode(bytes));
                    } catch (WbxmlException | SyncProtocolException e) {
                        return refuse(command, SyncStatus.INCOMPLETE_REQUEST, "cached request unreadable");
                    }
                    // MS-ASCMD 2.2.1.21.1: an empty request repeats the cached one; Partial (2.2.3.125) completes it
                    return new Resolved(sent == null ? cached : SyncRequestParser.merge(cached, sent), null);
                })
                .defaultIfEmpty(refuse(command, SyncStatus.INCOMPLETE_REQUEST, "empty or partial request, none cached"));
    }

    private static Resolved refuse(CommandRequest command, int status, String reason) {
        LOG.info("sync refused user={} device={} status={}: {}", command.user(), command.deviceKey().deviceId(),
                status, reason);
        return new Resolved(null, WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Status", status).build());
    }

    /**
     * MS-ASCMD 2.2.3.197 Wait (minutes) and 2.2.3.88 HeartbeatInterval (seconds): both at once is status 4; a value
     * outside the configured heartbeat bounds is status 14 with the bound it crossed in Limit (2.2.3.97), in the
     * unit of the element sent.
     */
    private WbxmlElement checkWait(CommandRequest command, SyncRequest request) {
        Integer minutes = request.waitMinutes();
        Integer seconds = request.heartbeatSeconds();
        if (minutes != null && seconds != null) {
            return refuse(command, SyncStatus.PROTOCOL_ERROR, "both Wait and HeartbeatInterval").refusal();
        }
        long min = config.heartbeatMin().toSeconds();
        long max = config.heartbeatMax().toSeconds();
        if (seconds != null && (seconds < min || seconds > max)) {
            return limit(command, seconds < min ? min : max, "HeartbeatInterval out of range");
        }
        if (minutes != null) {
            long minMinutes = (min + 59) / 60;
            long maxMinutes = max / 60;
            if (minutes < minMinutes || minutes > maxMinutes) {
                return limit(command, minutes < minMinutes ? minMinutes : maxMinutes, "Wait out of range");
            }
        }
        return null;
    }

    private static WbxmlElement limit(CommandRequest command, long limit, String reason) {
        LOG.info("sync refused user={} device={} status=14: {}", command.user(), command.deviceKey().deviceId(),
                reason);
        return WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Status", SyncStatus.INVALID_WAIT)
                .child("Limit", limit).build();
    }

    /** Runs the request once against the current store and state. */
    private Mono<Result> attempt(CommandRequest command, SyncRequest request) {
        Mono<Optional<LoopGuard.Watch>> watch = loops == null ? Mono.just(Optional.empty())
                : loops.watch(command.deviceKey()).map(Optional::of);
        return Mono.zip(store.folders(command.user()).collectMap(Folder::id), watch).flatMap(both -> {
            Map<String, Folder> folders = both.getT1();
            LoopGuard.Watch loopWatch = both.getT2().orElse(null);
            // 16.x: the server sends an organizer's meeting mail; earlier clients send it with SendMail
            OrganizerWrites writes = meetings != null && command.version().atLeast(ProtocolVersion.V16_0)
                    ? new OrganizerWrites(meetings, command.account()) : OrganizerWrites.NONE;
            SyncContext context = new SyncContext(store, state, command.user(), command.deviceKey(),
                    command.version(), folders, command.receivedAt(), claims, writes, loopWatch);
            CollectionSync sync = new CollectionSync(context);
            int max = config.syncMaxWindowSize();
            AtomicInteger budget = new AtomicInteger(clamp(request.windowSize(), max));
            // sync.max-response-bytes: shared by the collections like WindowSize; each stops adding items at it
            long maxBytes = config.number(dev.easgate.core.limits.LimitOptions.SYNC_MAX_RESPONSE_BYTES);
            AtomicLong bytes = new AtomicLong(maxBytes);
            return Flux.fromIterable(request.collections())
                    .concatMap(collection -> {
                        int window = Math.min(clamp(collection.windowSize(), max), budget.get());
                        long left = bytes.get();
                        return sync.sync(collection, window, new CollectionSync.ByteBudget(left, left == maxBytes))
                                .doOnNext(outcome -> {
                                    budget.addAndGet(-outcome.sent());
                                    bytes.addAndGet(-outcome.bytes());
                                });
                    })
                    .collectList()
                    .flatMap(outcomes -> observe(loopWatch, request, outcomes).thenReturn(result(request, outcomes)));
        });
    }

    /**
     * Tells loop detection how each collection was answered: a replayed answer or an error status is counted per
     * collection (a usual answer ends the run), and so is each client command's status. A request without
     * collections (a heartbeat Sync) has nothing to count.
     */
    private static Mono<Void> observe(LoopGuard.Watch watch, SyncRequest request,
                                      List<CollectionSync.Outcome> outcomes) {
        if (watch == null) {
            return Mono.empty();
        }
        List<Mono<Void>> steps = new ArrayList<>();
        for (int i = 0; i < outcomes.size() && i < request.collections().size(); i++) {
            CollectionRequest asked = request.collections().get(i);
            CollectionSync.Outcome outcome = outcomes.get(i);
            String status = String.valueOf(outcome.element().childText("Status"));
            boolean unusual = outcome.replayed() || !"1".equals(status);
            String fingerprint = asked.syncKey() + " " + status + " "
                    + (outcome.replayed() ? Arrays.hashCode(WbxmlEncoder.encode(outcome.element())) : "");
            String description = outcome.replayed() ? "repeated key " + asked.syncKey() + " and got the same kept "
                    + "answer" : "repeated key " + asked.syncKey() + " and got status " + status;
            steps.add(watch.answered(asked.collectionId(), unusual, fingerprint, description));
            WbxmlElement responses = outcome.replayed() ? null : outcome.element().child("Responses");
            if (responses != null) {
                for (WbxmlElement response : responses.children()) {
                    String id = response.childText("ClientId") != null ? response.childText("ClientId")
                            : response.childText("ServerId");
                    if (id != null) {
                        steps.add(watch.clientCommand(asked.collectionId(), id, response.tag().name(),
                                String.valueOf(response.childText("Status"))));
                    }
                }
            }
        }
        return Flux.concat(steps).then();
    }

    /** MS-ASCMD 2.2.3.199: 1 to the configured maximum; larger values are lowered, missing ones default. */
    private static int clamp(Integer window, int max) {
        if (window == null) {
            return Math.min(DEFAULT_WINDOW, max);
        }
        return Math.max(1, Math.min(window, max));
    }

    private static Result result(SyncRequest request, List<CollectionSync.Outcome> outcomes) {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        List<WbxmlElement> elements = new ArrayList<>();
        boolean changed = false;
        for (CollectionSync.Outcome outcome : outcomes) {
            elements.add(outcome.element());
            keys.put(outcome.element().childText("CollectionId"), outcome.element().childText("SyncKey"));
            changed |= outcome.changed();
        }
        if (!changed) {
            return new Result(null, keys); // MS-ASCMD 2.2.1.21.2: the empty Sync response
        }
        WbxmlElement body = WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                .child("Collections", c -> c.children(elements))
                .build();
        return new Result(body, keys);
    }

    /** Caches the request (keys as answered, no commands) for the next empty or Partial request. */
    private Mono<Void> remember(CommandRequest command, SyncRequest request, Result result) {
        List<CollectionRequest> collections = new ArrayList<>();
        for (CollectionRequest collection : request.collections()) {
            String key = result.keys().getOrDefault(collection.collectionId(), collection.syncKey());
            collections.add(collection.withoutCommands().withSyncKey(key));
        }
        SyncRequest cached = new SyncRequest(collections, request.windowSize(), request.waitMinutes(),
                request.heartbeatSeconds(), false);
        return state.putValue(command.deviceKey(), LAST_SYNC, WbxmlEncoder.encode(SyncRequestParser.write(cached)));
    }

    private Mono<Void> touchDevice(CommandRequest command) {
        if (!DeviceRecord.activityWorthWriting(command.device().lastSync(), command.receivedAt())) {
            return Mono.empty();
        }
        return state.device(command.deviceKey())
                .defaultIfEmpty(command.device())
                .flatMap(device -> state.putDevice(device.withLastSync(command.receivedAt())));
    }
}
