package dev.easgate.backends.auth;

import java.time.Duration;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Failed logins counted under a key (a user, a client address), shared by every gateway node that uses the same
 * store, so an attacker spread over the nodes behind a load balancer meets the limits once, not once per node.
 *
 * <p>Counting rule, the same in every implementation: a failure more than {@code lockout} after the key's last one
 * starts the count again; the failure that brings the count to {@code maxFailures} while the key is not locked
 * locks it for {@code lockout} and starts the count again. A record is forgotten {@code lockout} after its last
 * failure or the end of its lock, whichever is later.
 */
public interface LoginFailures {

    /**
     * What is recorded under a key (times to the millisecond).
     *
     * @param count       failures since the count last started
     * @param last        the last failure, or null
     * @param lockedUntil the end of the key's lock, or null when it was never locked
     */
    record Record(int count, Instant last, Instant lockedUntil) {
        public static final Record NONE = new Record(0, null, null);
    }

    /** The record under {@code key}, {@link Record#NONE} when there is none. */
    Mono<Record> read(String key);

    /** Counts one failure under {@code key} at {@code now}; emits true when this failure locked the key. */
    Mono<Boolean> fail(String key, Instant now, int maxFailures, Duration lockout);

    /** Forgets {@code key} (a successful login clears its user). */
    Mono<Void> clear(String key);

    /**
     * The counting rule on a record: the record after one more failure at {@code now}. Its count is 0 exactly when
     * this failure locked the key.
     */
    static Record afterFailure(Record record, Instant now, int maxFailures, Duration lockout) {
        int count = record.count();
        Instant lockedUntil = record.lockedUntil();
        if (record.last() != null && Duration.between(record.last(), now).compareTo(lockout) > 0) {
            count = 0;
            lockedUntil = null;
        }
        count++;
        if (count >= maxFailures && (lockedUntil == null || !now.isBefore(lockedUntil))) {
            return new Record(0, now, now.plus(lockout));
        }
        return new Record(count, now, lockedUntil);
    }
}
