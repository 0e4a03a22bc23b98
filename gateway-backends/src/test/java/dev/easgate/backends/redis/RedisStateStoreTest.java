package dev.easgate.backends.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.auth.LoginFailures;
import dev.easgate.backends.auth.LoginFailuresContract;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.state.StateStoreContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The state store contract on a real redis-server, plus two gateway nodes racing on one device. */
class RedisStateStoreTest implements StateStoreContract, LoginFailuresContract {
    private static RedisServerProcess redis;
    private static RedisStateStore store;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        store = RedisStateStore.standalone(redis.uri());
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    public StateStore stateStore() {
        return store;
    }

    @Override
    public LoginFailures loginFailures() {
        return store;
    }

    /** Failures counted by two nodes (separate connections) add up to one lockout; the record expires by itself. */
    @Test
    void twoNodesCountTheSameFailuresAndTheRecordExpires() {
        try (RedisStateStore otherNode = RedisStateStore.standalone(redis.uri())) {
            String key = "u:shared-" + java.util.UUID.randomUUID();
            java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            java.time.Duration lockout = java.time.Duration.ofSeconds(30);
            assertThat(store.fail(key, now, 4, lockout).block()).isFalse();
            assertThat(otherNode.fail(key, now.plusMillis(1), 4, lockout).block()).isFalse();
            assertThat(store.fail(key, now.plusMillis(2), 4, lockout).block()).isFalse();
            assertThat(otherNode.fail(key, now.plusMillis(3), 4, lockout).block()).as("the fourth, on any node")
                    .isTrue();
            assertThat(store.read(key).block().lockedUntil()).isEqualTo(now.plusMillis(3).plus(lockout));
            long ttl = Long.parseLong(redis.command("PTTL", RedisNames.loginFailures(key)).replaceAll("[^0-9-]", ""));
            assertThat(ttl).isBetween(lockout.toMillis(), 2 * lockout.toMillis() + 1000);
        }
    }

    /** Two nodes (separate stores and connections) advance the same keys at once: exactly one wins each step. */
    @Test
    void ofTwoNodesRacingOnTheSameKeyExactlyOneAdvancesIt() throws Exception {
        try (RedisStateStore otherNode = RedisStateStore.standalone(redis.uri())) {
            List<StateStore> nodes = List.of(store, otherNode);
            DeviceKey key = newDevice();
            store.replaceCollection(key, "f1", null, StateStoreContract.collection("0", 0)).block();
            store.replaceHierarchy(key, null, StateStoreContract.hierarchy("0")).block();
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                List<Future<int[]>> wins = new ArrayList<>();
                for (int node = 0; node < 2; node++) {
                    StateStore mine = nodes.get(node);
                    int me = node;
                    wins.add(threads.submit(() -> {
                        int[] won = new int[300];
                        for (int step = 0; step < 300; step++) {
                            start.await();
                            String from = Integer.toString(step);
                            String to = Integer.toString(step + 1);
                            CompletableFuture<Boolean> collection = mine.replaceCollection(key, "f1", from,
                                    new CollectionState(to, me, Map.of(), from, new byte[] {(byte) me},
                                            new byte[0])).toFuture();
                            CompletableFuture<Boolean> hierarchy = mine.replaceHierarchy(key, from,
                                    new HierarchyState(to, List.of(), from, new byte[] {(byte) me})).toFuture();
                            won[step] = (collection.get() ? 1 : 0) + (hierarchy.get() ? 2 : 0);
                        }
                        return won;
                    }));
                }
                int[] first = wins.get(0).get();
                int[] second = wins.get(1).get();
                for (int step = 0; step < 300; step++) {
                    // bit 1: the collection, bit 2: the hierarchy; each won by exactly one node
                    assertThat(first[step] ^ second[step]).as("step %d", step).isEqualTo(3);
                    assertThat(first[step] & second[step]).as("step %d", step).isZero();
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(store.collection(key, "f1").block().syncKey()).isEqualTo("300");
            assertThat(otherNode.hierarchy(key).block().syncKey()).isEqualTo("300");
        }
    }

    @Test
    void aDeviceIsOneHashUnderTheUsersHashTag() {
        DeviceKey key = new DeviceKey("carol@example.com", "Appl:col:1");
        store.putDevice(StateStoreContract.record(key)).block();
        store.replaceCollection(key, "key:x", null, StateStoreContract.collection("1", 0)).block();
        store.putValue(key, "lastPing", new byte[] {1}).block();

        assertThat(redis.command("EXISTS", "easgate:{carol@example.com}:dev:Appl:col:1")).isEqualTo(":1");
        assertThat(redis.command("HKEYS", "easgate:{carol@example.com}:dev:Appl:col:1").lines())
                .containsExactlyInAnyOrder("record", "ck:key:x", "cs:key:x", "v:lastPing");
        assertThat(redis.command("SMEMBERS", "easgate:{carol@example.com}:devices")).isEqualTo("Appl:col:1\n");

        store.removeDevice(key).block();
        assertThat(redis.command("KEYS", "easgate:{carol@example.com}*")).isEmpty();
    }

    @Test
    void scriptsAreReloadedWhenTheServerForgotThem() {
        DeviceKey key = newDevice();
        store.replaceHierarchy(key, null, StateStoreContract.hierarchy("1")).block();
        redis.command("SCRIPT", "FLUSH");

        assertThat(store.replaceHierarchy(key, "1", StateStoreContract.hierarchy("2")).block()).isTrue();
        assertThat(store.hierarchy(key).block().syncKey()).isEqualTo("2");
    }

    @Test
    void everyDeviceFieldRoundTrips() {
        DeviceKey key = newDevice();
        for (DeviceRecord.WipeState wipe : DeviceRecord.WipeState.values()) {
            DeviceRecord device = StateStoreContract.record(key).withPolicyKeys(Long.MAX_VALUE, -7)
                    .withInformation("Model \u00e9", "", "Friendly \u2603").withWipe(wipe)
                    .withLastSync(java.time.Instant.parse("2025-06-02T10:00:01.123456789Z"))
                    .withClient("Tablet", "Agent/2", "14.1");
            store.putDevice(device).block();
            assertThat(store.device(key).block()).isEqualTo(device);
        }
    }
}
