package dev.easgate.core.command.sync;

import java.time.Duration;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * How a Sync with Wait or HeartbeatInterval (MS-ASCMD 2.2.3.197, 2.2.3.88) waits for changes. {@code attempt} runs
 * the request once and emits its result; a result that {@link SyncHandler.Result#empty() is empty} means nothing
 * changed. A parking implementation re-runs the attempt when the user's store changes, until {@code limit}; the
 * current one, {@link #IMMEDIATE}, answers at once.
 */
@FunctionalInterface
public interface SyncWait {

    Mono<SyncHandler.Result> await(SyncHandler.Context context, Duration limit,
                                   Supplier<Mono<SyncHandler.Result>> attempt);

    /** Whether waiting parks the request (then the handler answers it as a parked answer, its pipeline let go). */
    default boolean parks() {
        return false;
    }

    /** Answers immediately with the first attempt. */
    SyncWait IMMEDIATE = (context, limit, attempt) -> attempt.get();
}
