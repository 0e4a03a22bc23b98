package dev.easgate.core.loop;

import dev.easgate.backends.logging.LogText;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.loop.LoopRecord.Counter;
import dev.easgate.core.loop.LoopRecord.SetAside;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Recognises a device stuck in a loop and breaks what can be broken.
 *
 * <ul>
 *   <li>The same Sync key of a collection answered the same way {@code repeats} times in a row (the kept answer
 *       replayed, MS-ASCMD 2.2.3.181.4, or the same error status): the device is not taking the answer in. A resend
 *       of a lost answer is expected once or twice, a phone on a bad network perhaps three times; five in a row
 *       (the default) is a device that cannot get past the answer. The device is flagged; which item of the answer
 *       it chokes on cannot be told from here, so nothing is set aside.</li>
 *   <li>An item whose conversion for the device fails (an exception while it is rendered) {@code itemFailures}
 *       times: it is set aside, skipped in this and later Syncs, and the device is flagged naming it. Until then
 *       the Sync fails as before, so a passing failure (a store hiccup) sets nothing aside.</li>
 *   <li>The same client command (Add, Change, Delete, Fetch of one ClientId or ServerId) answered with the same
 *       error status {@code repeats} times: the device is flagged.</li>
 * </ul>
 *
 * <p>The record is a value of the device ({@value #VALUE}) in the state store, read once per Sync attempt and
 * written only when something is counted, set aside or cleared: a device that syncs normally costs one read. Two
 * racing requests of one device may lose one count (last writer wins); the thresholds are heuristics, not
 * transactions. Heartbeat Syncs without collections, FolderSync 0 and other {@link ClientQuirks} are never counted.
 */
public final class LoopGuard {
    /** The device value holding the {@link LoopRecord}. */
    public static final String VALUE = "loop";
    private static final Logger LOG = LoggerFactory.getLogger(LoopGuard.class);

    private final StateStore state;
    private final int repeats;
    private final int itemFailures;
    private final Clock clock;

    public LoopGuard(StateStore state, int repeats, int itemFailures, Clock clock) {
        if (repeats < 2 || itemFailures < 1) {
            throw new IllegalArgumentException("loop.repeats must be at least 2 and loop.item-failures at least 1");
        }
        this.state = Objects.requireNonNull(state, "state");
        this.repeats = repeats;
        this.itemFailures = itemFailures;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The device's record ({@link LoopRecord#NONE} when nothing was ever counted). */
    public Mono<LoopRecord> record(DeviceKey device) {
        return state.value(device, VALUE).map(LoopRecord::decode).defaultIfEmpty(LoopRecord.NONE);
    }

    /** The watch of one Sync attempt of {@code device}. */
    public Mono<Watch> watch(DeviceKey device) {
        return record(device).map(loaded -> new Watch(device, loaded));
    }

    /**
     * Lifts the flag, forgets the counters and gives the set-aside items back: each collection that had one is
     * compared whole at its next Sync (watermark 0, MS-ASCMD keeps the key), which sends what the device lacks and
     * nothing it holds. Emits the record as it was.
     */
    public Mono<LoopRecord> clear(DeviceKey device) {
        return record(device).flatMap(was -> {
            Set<String> collections = new LinkedHashSet<>();
            was.setAside().forEach(item -> collections.add(item.collectionId()));
            return Flux.fromIterable(collections).concatMap(id -> compareWhole(device, id))
                    .then(state.removeValue(device, VALUE))
                    .thenReturn(was);
        });
    }

    private Mono<Void> compareWhole(DeviceKey device, String collectionId) {
        return state.collection(device, collectionId)
                .filter(current -> current.claim() == null)
                .flatMap(current -> state.replaceCollection(device, collectionId, current.syncKey(),
                        new CollectionState(current.syncKey(), 0, current.known(), current.previousKey(),
                                current.previousResponse(), current.options())))
                .then();
    }

    /** One Sync attempt's view: the record read at its start, counted into as the collections are answered. */
    public final class Watch {
        private final DeviceKey device;
        private final AtomicReference<LoopRecord> current;

        Watch(DeviceKey device, LoopRecord loaded) {
            this.device = device;
            this.current = new AtomicReference<>(loaded);
        }

        /** The ids of the items of {@code collectionId} set aside. */
        public Set<String> setAside(String collectionId) {
            Set<String> ids = new LinkedHashSet<>();
            for (SetAside item : current.get().setAside()) {
                if (item.collectionId().equals(collectionId)) {
                    ids.add(item.itemId());
                }
            }
            return ids;
        }

        /**
         * One collection's answer: {@code unusual} when it was a replay of the kept answer or an error status, with
         * {@code fingerprint} naming the request key and the answer; a usual answer ends the run.
         */
        public Mono<Void> answered(String collectionId, boolean unusual, String fingerprint, String description) {
            return count("sync:" + collectionId, unusual ? fingerprint : null, repeats,
                    count -> "Sync of collection " + collectionId + " " + description + ", " + count
                            + " times in a row");
        }

        /** One client command's answer: {@code status} 1 ends the run, another counts. */
        public Mono<Void> clientCommand(String collectionId, String id, String command, String status) {
            boolean failed = !"1".equals(status);
            return count("client:" + collectionId + "/" + id, failed ? command + " status " + status : null,
                    repeats, count -> "the device's " + command + " of " + id + " in collection " + collectionId
                            + " failed with status " + status + ", " + count + " times in a row");
        }

        /**
         * Items whose conversion failed in this attempt: counted, and set aside once they failed
         * {@code itemFailures} times. Emits the ids set aside (now or before).
         */
        public Mono<Set<String>> failed(String collectionId, Map<String, Throwable> failures) {
            LoopRecord record = current.get();
            Set<String> setAside = new LinkedHashSet<>();
            for (Map.Entry<String, Throwable> failure : failures.entrySet()) {
                String id = failure.getKey();
                String name = "item:" + collectionId + "/" + id;
                Counter before = record.counters().get(name);
                int count = before == null ? 1 : before.count() + 1;
                if (count >= itemFailures) {
                    String why = failure.getValue().getClass().getSimpleName() + ": "
                            + String.valueOf(failure.getValue().getMessage());
                    record = record.withCounter(name, null)
                            .withSetAside(new SetAside(collectionId, id, why))
                            .flag("item " + id + " of collection " + collectionId + " failed " + count
                                    + " times and is set aside (" + why + ")", clock.instant());
                    setAside.add(id);
                    LOG.warn("loop: item {} of collection {} set aside for user={} device={} after {} failures: {}",
                            LogText.escape(id), LogText.escape(collectionId), LogText.escape(device.user()),
                            LogText.escape(device.deviceId()), count, LogText.escape(why));
                } else {
                    record = record.withCounter(name, new Counter("convert", count));
                }
            }
            return store(record).thenReturn(setAside);
        }

        private Mono<Void> count(String name, String fingerprint, int threshold,
                                 IntFunction<String> reason) {
            LoopRecord record = current.get();
            Counter before = record.counters().get(name);
            if (fingerprint == null) {
                return before == null ? Mono.empty() : store(record.withCounter(name, null));
            }
            int count = before != null && before.fingerprint().equals(fingerprint) ? before.count() + 1 : 1;
            LoopRecord next = record.withCounter(name, new Counter(fingerprint, count));
            if (count >= threshold && !record.flagged()) {
                String why = reason.apply(count);
                next = next.flag(why, clock.instant());
                LOG.warn("loop: user={} device={} flagged: {}", LogText.escape(device.user()),
                        LogText.escape(device.deviceId()), LogText.escape(why));
            }
            return store(next);
        }

        private Mono<Void> store(LoopRecord next) {
            current.set(next);
            return next.isEmpty() ? state.removeValue(device, VALUE) : state.putValue(device, VALUE, next.encode());
        }
    }
}
