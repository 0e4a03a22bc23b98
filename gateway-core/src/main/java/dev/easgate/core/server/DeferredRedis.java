package dev.easgate.core.server;

import dev.easgate.backends.auth.LoginFailures;
import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.BusListener;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.redis.RedisChangeBus;
import dev.easgate.backends.redis.RedisStateStore;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.state.StateStoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The node's Redis state store and change bus even when Redis is down at start: the first connection is tried at
 * once; if it fails the node starts anyway (the start-up probe has logged why) and keeps trying in the background
 * with backoff, while the store answers as it does during any Redis outage (unavailable: HTTP 503 + Retry-After)
 * and the bus refuses to publish or listen. Once connected, everything goes to Lettuce's own clients, which ride
 * out later outages themselves.
 */
final class DeferredRedis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredRedis.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private final String option;
    private volatile RedisChangeBus bus;
    private volatile RedisStateStore store;
    private volatile boolean closed;
    private volatile Disposable attempts;
    private volatile boolean deferred;

    private DeferredRedis(String option) {
        this.option = option;
    }

    /** Connects to {@code --redis} now, or keeps trying in the background when it cannot. */
    static DeferredRedis connect(String option) {
        DeferredRedis redis = new DeferredRedis(option);
        try {
            redis.attempt();
        } catch (RuntimeException e) {
            LOG.info("Redis not reached at start: answering HTTP 503 + Retry-After until it is, retrying every "
                    + "{}-{} s", FIRST_RETRY.toSeconds(), MAX_RETRY.toSeconds());
            redis.deferred = true;
            redis.attempts = Mono.fromRunnable(redis::attempt)
                    .subscribeOn(Schedulers.boundedElastic())
                    .retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_RETRY).maxBackoff(MAX_RETRY)
                            .filter(error -> !redis.closed))
                    .subscribe(done -> { }, error -> LOG.debug("stopped trying Redis: {}", error.toString()));
        }
        return redis;
    }

    /** One connection attempt (blocking: at start, or on the background scheduler). */
    private void attempt() {
        RedisChangeBus newBus = RedisChangeBus.create(option);
        RedisStateStore newStore;
        try {
            newStore = RedisStateStore.create(option);
        } catch (RuntimeException e) {
            newBus.close();
            throw e;
        }
        synchronized (this) {
            if (closed) {
                newBus.close();
                newStore.close();
                return;
            }
            bus = newBus;
            store = newStore;
        }
        if (deferred) {
            LOG.info("Redis reached: state store and change bus connected");
        }
    }

    ChangeBus bus() {
        return new Bus();
    }

    StateStore stateStore() {
        return new Store();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return; // the bus and the store both close the pair
        }
        closed = true;
        if (attempts != null) {
            attempts.dispose();
        }
        if (bus != null) {
            bus.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private static StateStoreUnavailableException notYet() {
        return new StateStoreUnavailableException("Redis not reached since start", null);
    }

    private Mono<RedisStateStore> store() {
        return Mono.defer(() -> store == null ? Mono.error(notYet()) : Mono.just(store));
    }

    /** The bus: Redis's once connected; until then publishing and listening fail (listening as unavailable). */
    private final class Bus implements ChangeBus {
        @Override
        public Mono<Void> publish(BusEvent event) {
            return Mono.defer(() -> bus == null ? Mono.error(notYet()) : bus.publish(event));
        }

        @Override
        public Mono<Disposable> listen(String user, BusListener listener) {
            return Mono.defer(() -> bus == null ? Mono.error(notYet()) : bus.listen(user, listener));
        }

        @Override
        public boolean connected() {
            RedisChangeBus current = bus;
            return current != null && current.connected();
        }

        @Override
        public void close() {
            DeferredRedis.this.close();
        }

        @Override
        public String toString() {
            RedisChangeBus current = bus;
            return current == null ? "RedisChangeBus[not reached yet]" : current.toString();
        }
    }

    /** The state store (and shared login failures): Redis's once connected, unavailable until then. */
    private final class Store implements StateStore, LoginFailures, AutoCloseable {
        @Override
        public Mono<DeviceRecord> device(DeviceKey key) {
            return store().flatMap(s -> s.device(key));
        }

        @Override
        public Mono<Void> putDevice(DeviceRecord device) {
            return store().flatMap(s -> s.putDevice(device));
        }

        @Override
        public Flux<DeviceRecord> devices(String user) {
            return store().flatMapMany(s -> s.devices(user));
        }

        @Override
        public Mono<Void> removeDevice(DeviceKey key) {
            return store().flatMap(s -> s.removeDevice(key));
        }

        @Override
        public Mono<HierarchyState> hierarchy(DeviceKey key) {
            return store().flatMap(s -> s.hierarchy(key));
        }

        @Override
        public Mono<Boolean> replaceHierarchy(DeviceKey key, String expectedKey, HierarchyState next) {
            return store().flatMap(s -> s.replaceHierarchy(key, expectedKey, next));
        }

        @Override
        public Mono<CollectionState> collection(DeviceKey key, String collectionId) {
            return store().flatMap(s -> s.collection(key, collectionId));
        }

        @Override
        public Mono<Boolean> replaceCollection(DeviceKey key, String collectionId, String expectedKey,
                                               CollectionState next) {
            return store().flatMap(s -> s.replaceCollection(key, collectionId, expectedKey, next));
        }

        @Override
        public Mono<Void> removeCollection(DeviceKey key, String collectionId) {
            return store().flatMap(s -> s.removeCollection(key, collectionId));
        }

        @Override
        public Mono<Void> resetSyncState(DeviceKey key) {
            return store().flatMap(s -> s.resetSyncState(key));
        }

        @Override
        public Mono<byte[]> value(DeviceKey key, String name) {
            return store().flatMap(s -> s.value(key, name));
        }

        @Override
        public Mono<Void> putValue(DeviceKey key, String name, byte[] value) {
            return store().flatMap(s -> s.putValue(key, name, value));
        }

        @Override
        public Mono<Void> removeValue(DeviceKey key, String name) {
            return store().flatMap(s -> s.removeValue(key, name));
        }

        @Override
        public Mono<byte[]> userValue(String user, String name) {
            return store().flatMap(s -> s.userValue(user, name));
        }

        @Override
        public Mono<Void> putUserValue(String user, String name, byte[] value) {
            return store().flatMap(s -> s.putUserValue(user, name, value));
        }

        @Override
        public Mono<Void> removeUserValue(String user, String name) {
            return store().flatMap(s -> s.removeUserValue(user, name));
        }

        @Override
        public Mono<Record> read(String key) {
            return store().flatMap(s -> s.read(key));
        }

        @Override
        public Mono<Boolean> fail(String key, Instant now, int maxFailures, Duration lockout) {
            return store().flatMap(s -> s.fail(key, now, maxFailures, lockout));
        }

        @Override
        public Mono<Void> clear(String key) {
            return store().flatMap(s -> s.clear(key));
        }

        @Override
        public void close() {
            DeferredRedis.this.close();
        }
    }
}
