package dev.easgate.core.command.sync;

import dev.easgate.core.heartbeat.HeartbeatHub;
import dev.easgate.core.heartbeat.ParkOutcome;
import dev.easgate.core.heartbeat.ParkRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * A Sync with Wait or HeartbeatInterval (MS-ASCMD 2.2.3.197, 2.2.3.88) parked on the {@link HeartbeatHub}: the
 * attempt runs as the park's store check (after the bus subscription, so no change is lost between them); a
 * non-empty answer returns at once, a change of a requested collection runs the attempt again, and the heartbeat's
 * end answers with the empty response. An empty attempt applied nothing and moved no key, so running it again is
 * safe.
 */
public final class ParkingSyncWait implements SyncWait {
    private final HeartbeatHub hub;
    private final Clock clock;

    public ParkingSyncWait(HeartbeatHub hub, Clock clock) {
        this.hub = hub;
        this.clock = clock;
    }

    @Override
    public boolean parks() {
        return true;
    }

    @Override
    public Mono<SyncHandler.Result> await(SyncHandler.Context context, Duration limit,
                                          Supplier<Mono<SyncHandler.Result>> attempt) {
        if (limit.isZero() || limit.isNegative()) {
            return attempt.get();
        }
        Set<String> collections = context.request().collections().stream()
                .map(CollectionRequest::collectionId)
                .collect(Collectors.toUnmodifiableSet());
        return round(context, collections, clock.instant().plus(limit), attempt);
    }

    private Mono<SyncHandler.Result> round(SyncHandler.Context context, Set<String> collections, Instant deadline,
                                           Supplier<Mono<SyncHandler.Result>> attempt) {
        Duration remaining = Duration.between(clock.instant(), deadline);
        if (remaining.isNegative() || remaining.isZero()) {
            return attempt.get();
        }
        AtomicReference<SyncHandler.Result> seen = new AtomicReference<>();
        Mono<Set<String>> check = Mono.defer(attempt).map(result -> {
            seen.set(result);
            return result.empty() ? Set.<String>of() : collections;
        });
        return hub.park(new ParkRequest("Sync", context.device(), collections, remaining, check))
                .flatMap(outcome -> {
                    SyncHandler.Result result = seen.get();
                    if (result != null && !result.empty()) {
                        return Mono.just(result);
                    }
                    if (outcome.changed() || outcome.reason() == ParkOutcome.Reason.HIERARCHY_CHANGED) {
                        return round(context, collections, deadline, attempt);
                    }
                    // expired, superseded by a newer request, or draining: the empty response (2.2.1.21.2)
                    return result != null ? Mono.just(result) : attempt.get();
                });
    }
}
