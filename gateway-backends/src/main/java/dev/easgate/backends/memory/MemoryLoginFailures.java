package dev.easgate.backends.memory;

import dev.easgate.backends.auth.LoginFailures;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * Failed logins in this node's memory: the single-node default, and what a node falls back to while its shared
 * store cannot be reached. At most {@value #MAX_TRACKED} keys; past that, records older than their lockout are
 * dropped.
 */
public final class MemoryLoginFailures implements LoginFailures {
    static final int MAX_TRACKED = 200_000;

    private final ConcurrentHashMap<String, Record> records = new ConcurrentHashMap<>();

    @Override
    public Mono<Record> read(String key) {
        return Mono.fromSupplier(() -> records.getOrDefault(key, Record.NONE));
    }

    @Override
    public Mono<Boolean> fail(String key, Instant now, int maxFailures, Duration lockout) {
        return Mono.fromSupplier(() -> {
            if (records.size() > MAX_TRACKED) {
                records.values().removeIf(r -> expired(r, now, lockout));
            }
            Record next = records.compute(key, (k, before) -> LoginFailures.afterFailure(
                    before == null || expired(before, now, lockout) ? Record.NONE : before, now, maxFailures,
                    lockout));
            return next.count() == 0; // a failure that does not lock leaves a count of at least one
        });
    }

    private static boolean expired(Record record, Instant now, Duration lockout) {
        Instant latest = record.lockedUntil() != null && record.lockedUntil().isAfter(record.last())
                ? record.lockedUntil() : record.last();
        return latest == null || Duration.between(latest, now).compareTo(lockout) > 0;
    }

    @Override
    public Mono<Void> clear(String key) {
        return Mono.fromRunnable(() -> records.remove(key));
    }
}
