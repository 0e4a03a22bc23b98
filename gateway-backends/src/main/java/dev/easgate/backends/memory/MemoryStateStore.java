package dev.easgate.backends.memory;

import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.backends.state.StateStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link StateStore} in concurrent maps, for tests and embedding (state is lost with the object: devices then
 * start over from sync key 0, as after any state loss). A gateway node keeps its state on disk or in Redis.
 *
 * <p>Sync key replacements are atomic compare-and-set operations. Byte arrays are copied on the way in and on the
 * way out, so no caller can alter what another one reads. Methods work on the subscriber's thread when subscribed
 * and complete at once.
 */
public final class MemoryStateStore implements StateStore {

    /** user to device id to that device's state. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, DeviceState>> users = new ConcurrentHashMap<>();
    /** user to the user's named values. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, byte[]>> userValues = new ConcurrentHashMap<>();

    /** Everything stored for one device. */
    private static final class DeviceState {
        final AtomicReference<DeviceRecord> record = new AtomicReference<>();
        final AtomicReference<HierarchyState> hierarchy = new AtomicReference<>();
        final ConcurrentHashMap<String, CollectionState> collections = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, byte[]> values = new ConcurrentHashMap<>();
    }

    private DeviceState existing(DeviceKey key) {
        Map<String, DeviceState> devices = users.get(key.user());
        return devices == null ? null : devices.get(key.deviceId());
    }

    private DeviceState state(DeviceKey key) {
        return users.computeIfAbsent(key.user(), user -> new ConcurrentHashMap<>())
                .computeIfAbsent(key.deviceId(), id -> new DeviceState());
    }

    // ---- devices ------------------------------------------------------------------------------------------------

    @Override
    public Mono<DeviceRecord> device(DeviceKey key) {
        return Mono.fromCallable(() -> {
            DeviceState state = existing(key);
            return state == null ? null : state.record.get();
        });
    }

    @Override
    public Mono<Void> putDevice(DeviceRecord device) {
        return Mono.fromRunnable(() -> state(device.key()).record.set(device));
    }

    @Override
    public Flux<DeviceRecord> devices(String user) {
        return Flux.defer(() -> {
            Map<String, DeviceState> devices = users.get(user);
            if (devices == null) {
                return Flux.empty();
            }
            List<DeviceRecord> records = devices.values().stream()
                    .map(state -> state.record.get())
                    .filter(Objects::nonNull)
                    .toList();
            return Flux.fromIterable(records);
        });
    }

    @Override
    public Mono<Void> removeDevice(DeviceKey key) {
        return Mono.fromRunnable(() -> {
            Map<String, DeviceState> devices = users.get(key.user());
            if (devices != null) {
                devices.remove(key.deviceId());
            }
        });
    }

    // ---- hierarchy ----------------------------------------------------------------------------------------------

    @Override
    public Mono<HierarchyState> hierarchy(DeviceKey key) {
        return Mono.fromCallable(() -> {
            DeviceState state = existing(key);
            return state == null ? null : copy(state.hierarchy.get());
        });
    }

    @Override
    public Mono<Boolean> replaceHierarchy(DeviceKey key, String expectedKey, HierarchyState next) {
        HierarchyState stored = copy(next);
        return Mono.fromCallable(() -> {
            AtomicReference<HierarchyState> hierarchy = state(key).hierarchy;
            while (true) {
                HierarchyState current = hierarchy.get();
                if (expectedKey != null && (current == null || !current.syncKey().equals(expectedKey))) {
                    return false;
                }
                if (hierarchy.compareAndSet(current, stored)) {
                    return true;
                }
            }
        });
    }

    // ---- collections --------------------------------------------------------------------------------------------

    @Override
    public Mono<CollectionState> collection(DeviceKey key, String collectionId) {
        return Mono.fromCallable(() -> {
            DeviceState state = existing(key);
            return state == null ? null : copy(state.collections.get(collectionId));
        });
    }

    @Override
    public Mono<Boolean> replaceCollection(DeviceKey key, String collectionId, String expectedKey,
                                           CollectionState next) {
        CollectionState stored = copy(next);
        return Mono.fromCallable(() -> {
            boolean[] replaced = {false};
            state(key).collections.compute(collectionId, (id, current) -> {
                if (expectedKey != null && (current == null || !current.syncKey().equals(expectedKey))) {
                    return current;
                }
                replaced[0] = true;
                return stored;
            });
            return replaced[0];
        });
    }

    @Override
    public Mono<Void> removeCollection(DeviceKey key, String collectionId) {
        return Mono.fromRunnable(() -> {
            DeviceState state = existing(key);
            if (state != null) {
                state.collections.remove(collectionId);
            }
        });
    }

    @Override
    public Mono<Void> resetSyncState(DeviceKey key) {
        return Mono.fromRunnable(() -> {
            DeviceState state = existing(key);
            if (state != null) {
                state.hierarchy.set(null);
                state.collections.clear();
            }
        });
    }

    // ---- values -------------------------------------------------------------------------------------------------

    @Override
    public Mono<byte[]> value(DeviceKey key, String name) {
        return Mono.fromCallable(() -> {
            DeviceState state = existing(key);
            byte[] value = state == null ? null : state.values.get(name);
            return value == null ? null : value.clone();
        });
    }

    @Override
    public Mono<Void> putValue(DeviceKey key, String name, byte[] value) {
        byte[] stored = value.clone();
        return Mono.fromRunnable(() -> state(key).values.put(name, stored));
    }

    @Override
    public Mono<Void> removeValue(DeviceKey key, String name) {
        return Mono.fromRunnable(() -> {
            DeviceState state = existing(key);
            if (state != null) {
                state.values.remove(name);
            }
        });
    }

    @Override
    public Mono<byte[]> userValue(String user, String name) {
        return Mono.fromCallable(() -> {
            Map<String, byte[]> values = userValues.get(user);
            byte[] value = values == null ? null : values.get(name);
            return value == null ? null : value.clone();
        });
    }

    @Override
    public Mono<Void> putUserValue(String user, String name, byte[] value) {
        byte[] stored = value.clone();
        return Mono.fromRunnable(() -> userValues.computeIfAbsent(user, u -> new ConcurrentHashMap<>())
                .put(name, stored));
    }

    @Override
    public Mono<Void> removeUserValue(String user, String name) {
        return Mono.fromRunnable(() -> {
            Map<String, byte[]> values = userValues.get(user);
            if (values != null) {
                values.remove(name);
            }
        });
    }

    // ---- copies -------------------------------------------------------------------------------------------------

    private static HierarchyState copy(HierarchyState state) {
        return state == null ? null : new HierarchyState(state.syncKey(), state.folders(), state.previousKey(),
                state.previousResponse().clone());
    }

    private static CollectionState copy(CollectionState state) {
        return state == null ? null : new CollectionState(state.syncKey(), state.watermark(), state.known(),
                state.previousKey(), state.previousResponse().clone(), state.options().clone(), state.claim());
    }
}
