package dev.easgate.core.server;

import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.config.ConfigLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A gateway for crash tests, run as a child process by {@link GatewayChild}: the production gateway, whose state
 * store is wrapped so that the parent can hold a request at a crash point. It prints {@code READY <port>} once
 * listening. A line on its standard input (acknowledged with {@code ARMED}) arms one hold, which prints
 * {@code HELD ...} and never completes, so the request never gets its answer and the parent can kill the process
 * inside that window:
 * <ul>
 *   <li>{@code ARM}: the next sync state stored with its answer (a successful {@code replaceCollection} whose state
 *       carries a non-empty replay copy), right after it is stored: {@code HELD <collectionId> <syncKey>};</li>
 *   <li>{@code ARM BEFORE}: the same write, before it is stored (the store has applied the client's commands, the
 *       claim is all the state says): {@code HELD <collectionId> <syncKey>};</li>
 *   <li>{@code ARM PROVISIONED}: the next device record stored with a final policy key and none pending (a
 *       Provision acknowledgement), right after it is stored: {@code HELD <policyKey>}.</li>
 * </ul>
 */
public final class CrashPointGatewayMain {
    private CrashPointGatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        AtomicReference<String> armed = new AtomicReference<>("");
        Gateway gateway = Gateway.start(ConfigLoader.load(args, Map.of()), store -> new HoldingStore(store, armed));
        say("READY " + gateway.port());
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = commands.readLine(); line != null; line = commands.readLine()) {
            if (line.startsWith("ARM")) {
                armed.set(line.intern()); // compareAndSet compares references: the same object as the literals
                say("ARMED");
            }
        }
        Thread.currentThread().join(); // the parent ends this process
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Delegates everything; holds the first write of the armed kind. */
    private record HoldingStore(StateStore store, AtomicReference<String> armed) implements StateStore {
        @Override
        public Mono<Boolean> replaceCollection(DeviceKey key, String collectionId, String expectedKey,
                                               CollectionState next) {
            if (next.previousResponse().length > 0 && armed.compareAndSet("ARM BEFORE", "")) {
                say("HELD " + collectionId + " " + next.syncKey());
                return Mono.never();
            }
            return store.replaceCollection(key, collectionId, expectedKey, next).flatMap(stored -> {
                if (stored && next.previousResponse().length > 0 && armed.compareAndSet("ARM", "")) {
                    say("HELD " + collectionId + " " + next.syncKey());
                    return Mono.never();
                }
                return Mono.just(stored);
            });
        }

        @Override
        public Mono<DeviceRecord> device(DeviceKey key) {
            return store.device(key);
        }

        @Override
        public Mono<Void> putDevice(DeviceRecord device) {
            return store.putDevice(device).then(Mono.defer(() -> {
                if (device.policyKey() != 0 && device.pendingPolicyKey() == 0
                        && armed.compareAndSet("ARM PROVISIONED", "")) {
                    say("HELD " + device.policyKey());
                    return Mono.never();
                }
                return Mono.<Void>empty();
            }));
        }

        @Override
        public Flux<DeviceRecord> devices(String user) {
            return store.devices(user);
        }

        @Override
        public Mono<Void> removeDevice(DeviceKey key) {
            return store.removeDevice(key);
        }

        @Override
        public Mono<HierarchyState> hierarchy(DeviceKey key) {
            return store.hierarchy(key);
        }

        @Override
        public Mono<Boolean> replaceHierarchy(DeviceKey key, String expectedKey, HierarchyState next) {
            return store.replaceHierarchy(key, expectedKey, next);
        }

        @Override
        public Mono<CollectionState> collection(DeviceKey key, String collectionId) {
            return store.collection(key, collectionId);
        }

        @Override
        public Mono<Void> removeCollection(DeviceKey key, String collectionId) {
            return store.removeCollection(key, collectionId);
        }

        @Override
        public Mono<Void> resetSyncState(DeviceKey key) {
            return store.resetSyncState(key);
        }

        @Override
        public Mono<byte[]> value(DeviceKey key, String name) {
            return store.value(key, name);
        }

        @Override
        public Mono<Void> putValue(DeviceKey key, String name, byte[] value) {
            return store.putValue(key, name, value);
        }

        @Override
        public Mono<Void> removeValue(DeviceKey key, String name) {
            return store.removeValue(key, name);
        }

        @Override
        public Mono<byte[]> userValue(String user, String name) {
            return store.userValue(user, name);
        }

        @Override
        public Mono<Void> putUserValue(String user, String name, byte[] value) {
            return store.putUserValue(user, name, value);
        }

        @Override
        public Mono<Void> removeUserValue(String user, String name) {
            return store.removeUserValue(user, name);
        }
    }
}
