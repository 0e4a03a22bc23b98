package dev.easgate.backends.redis;

import dev.easgate.backends.auth.LoginFailures;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.state.StateCodec;
import dev.easgate.backends.state.StateStoreUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link StateStore} in Redis, so that any gateway node can serve any device without sticky sessions.
 *
 * <p>Layout (see {@link RedisNames}): one hash per device, {@code easgate:{<user>}:dev:<deviceId>}, with the
 * fields {@code record} (device record: policy keys, wipe state, ...), {@code hk}/{@code hs} (hierarchy sync key
 * and state), {@code ck:<collectionId>}/{@code cs:<collectionId>} (a collection's sync key and state) and
 * {@code v:<name>} (named values such as the cached last Sync and Ping requests); and a set per user,
 * {@code easgate:{<user>}:devices}, of the device ids that have a record; and a hash per user,
 * {@code easgate:{<user>}:user}, of the user's named values ({@code v:<name>}). States are stored in {@link StateCodec}'s
 * versioned binary form; sync keys also in plain text beside them, for the scripts.
 *
 * <p>Sync key transitions are a Lua script (EVALSHA, falling back to EVAL when the server lost its script cache)
 * comparing the stored key and writing the new key and state in one step: of two nodes racing on a device, exactly
 * one advances a key. Removing a device or resetting its sync state is a script as well. Every key of a device is
 * under the user's hash tag, so on a Redis Cluster every script touches one slot.
 *
 * <p>While Redis is unreachable, operations fail at once (commands are rejected, not queued; on a cluster, where node
 * connections open on first use, up to 10,000 commands wait for their node) and time out after 5 s when an answer
 * does not come; Lettuce reconnects in the background.
 */
public final class RedisStateStore implements StateStore, LoginFailures, AutoCloseable {
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final byte[] NO = new byte[0];
    private static final String RECORD = "record";
    private static final String HIERARCHY_KEY = "hk";
    private static final String HIERARCHY_STATE = "hs";

    /** KEYS: device hash. ARGV: key field, state field, "1" to compare, expected key, new key, new state. */
    private static final Script REPLACE = new Script("""
            if ARGV[3] == '1' and redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[4] then
              return 0
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[5], ARGV[2], ARGV[6])
            return 1
            """);
    /** KEYS: device hash, user's device set. ARGV: device id, record. */
    private static final Script PUT_DEVICE = new Script("""
            redis.call('HSET', KEYS[1], 'record', ARGV[2])
            redis.call('SADD', KEYS[2], ARGV[1])
            return 1
            """);
    /** KEYS: device hash, user's device set. ARGV: device id. */
    private static final Script REMOVE_DEVICE = new Script("""
            redis.call('DEL', KEYS[1])
            redis.call('SREM', KEYS[2], ARGV[1])
            return 1
            """);
    /** KEYS: device hash. Removes the hierarchy's and every collection's fields, keeping record and values. */
    private static final Script RESET_SYNC_STATE = new Script("""
            for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
              local kind = string.sub(field, 1, 3)
              if field == 'hk' or field == 'hs' or kind == 'ck:' or kind == 'cs:' then
                redis.call('HDEL', KEYS[1], field)
              end
            end
            return 1
            """);

    /**
     * KEYS: the login record. ARGV: now (ms), max failures, lockout (ms). {@link LoginFailures#afterFailure} in one
     * atomic step; the record expires a lockout after its last failure or the end of its lock. Returns 1 when this
     * failure locked the key.
     */
    private static final Script LOGIN_FAILURE = new Script("""
            local now = tonumber(ARGV[1])
            local lockout = tonumber(ARGV[3])
            local count = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
            local last = tonumber(redis.call('HGET', KEYS[1], 'l') or '-1')
            local locked = tonumber(redis.call('HGET', KEYS[1], 'u') or '-1')
            if last >= 0 and now - last > lockout then
              count = 0
              locked = -1
            end
            count = count + 1
            local result = 0
            if count >= tonumber(ARGV[2]) and (locked < 0 or now >= locked) then
              locked = now + lockout
              count = 0
              result = 1
            end
            redis.call('HSET', KEYS[1], 'c', count, 'l', now, 'u', locked)
            redis.call('PEXPIRE', KEYS[1], math.max(locked, now) - now + lockout)
            return result
            """);

    private final RedisClusterReactiveCommands<String, byte[]> redis;
    private final Runnable shutdown;

    private RedisStateStore(RedisClusterReactiveCommands<String, byte[]> redis, Runnable shutdown) {
        this.redis = redis;
        this.shutdown = shutdown;
    }

    /** Connects to one Redis server (blocking until connected: call at startup). */
    public static RedisStateStore standalone(RedisURI uri) {
        ClientResources resources = PubSubLink.resources(RedisChangeBus.MAX_RECONNECT_DELAY);
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(PubSubLink.socketOptions())
                .timeoutOptions(PubSubLink.timeouts())
                .build());
        try {
            return new RedisStateStore(client.connect(CODEC).reactive(), () -> shutdown(client, resources));
        } catch (RuntimeException e) {
            shutdown(client, resources);
            throw e;
        }
    }

    /** Connects to a Redis Cluster through its seed nodes (blocking until connected: call at startup). */
    public static RedisStateStore cluster(List<RedisURI> seeds) {
        ClientResources resources = PubSubLink.resources(RedisChangeBus.MAX_RECONNECT_DELAY);
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                // node connections open on first use: buffer (boundedly, with the timeout) rather than reject
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .requestQueueSize(PubSubLink.CLUSTER_QUEUE)
                .socketOptions(PubSubLink.socketOptions())
                .timeoutOptions(PubSubLink.timeouts())
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .enableAllAdaptiveRefreshTriggers()
                        .build())
                .build());
        try {
            return new RedisStateStore(client.connect(CODEC).reactive(), () -> shutdown(client, resources));
        } catch (RuntimeException e) {
            shutdown(client, resources);
            throw e;
        }
    }

    /** The store for a {@code --redis} target. */
    public static RedisStateStore create(RedisTarget target) {
        if (target instanceof RedisTarget.Cluster cluster) {
            return cluster(cluster.seeds());
        }
        return standalone(((RedisTarget.Standalone) target).uri());
    }

    /** The store for a {@code --redis} value: {@code redis://host:port} or {@code redis-cluster://h1:p1,h2:p2}. */
    public static RedisStateStore create(String redisOption) {
        return create(RedisTarget.parse(redisOption));
    }

    // ---- devices ------------------------------------------------------------------------------------------------

    @Override
    public Mono<DeviceRecord> device(DeviceKey key) {
        return redis.hget(RedisNames.device(key), RECORD).map(StateCodec::device)
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Void> putDevice(DeviceRecord device) {
        return Mono.defer(() -> PUT_DEVICE.run(redis, List.of(RedisNames.device(device.key()),
                RedisNames.devices(device.key().user())), utf8(device.key().deviceId()), StateCodec.device(device)))
                .then()
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Flux<DeviceRecord> devices(String user) {
        return redis.smembers(RedisNames.devices(user))
                .flatMap(deviceId -> redis.hget(RedisNames.device(new DeviceKey(user, text(deviceId))), RECORD), 16)
                .map(StateCodec::device)
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Void> removeDevice(DeviceKey key) {
        return Mono.defer(() -> REMOVE_DEVICE.run(redis, List.of(RedisNames.device(key),
                RedisNames.devices(key.user())), utf8(key.deviceId()))).then()
                .onErrorMap(RedisStateStore::unavailable);
    }

    // ---- hierarchy ----------------------------------------------------------------------------------------------

    @Override
    public Mono<HierarchyState> hierarchy(DeviceKey key) {
        return redis.hget(RedisNames.device(key), HIERARCHY_STATE).map(StateCodec::hierarchy)
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Boolean> replaceHierarchy(DeviceKey key, String expectedKey, HierarchyState next) {
        return Mono.defer(() -> replace(key, HIERARCHY_KEY, HIERARCHY_STATE, expectedKey, next.syncKey(),
                StateCodec.hierarchy(next)))
                .onErrorMap(RedisStateStore::unavailable);
    }

    // ---- collections --------------------------------------------------------------------------------------------

    @Override
    public Mono<CollectionState> collection(DeviceKey key, String collectionId) {
        return redis.hget(RedisNames.device(key), "cs:" + collectionId).map(StateCodec::collection)
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Boolean> replaceCollection(DeviceKey key, String collectionId, String expectedKey,
                                           CollectionState next) {
        return Mono.defer(() -> replace(key, "ck:" + collectionId, "cs:" + collectionId, expectedKey,
                next.syncKey(), StateCodec.collection(next)))
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Void> removeCollection(DeviceKey key, String collectionId) {
        return redis.hdel(RedisNames.device(key), "ck:" + collectionId, "cs:" + collectionId).then()
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Void> resetSyncState(DeviceKey key) {
        return Mono.defer(() -> RESET_SYNC_STATE.run(redis, List.of(RedisNames.device(key)))).then()
                .onErrorMap(RedisStateStore::unavailable);
    }

    // ---- values -------------------------------------------------------------------------------------------------

    @Override
    public Mono<byte[]> value(DeviceKey key, String name) {
        return redis.hget(RedisNames.device(key), "v:" + name)
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Void> putValue(DeviceKey key, String name, byte[] value) {
        byte[] stored = value.clone(); // the caller may change its array before the command is written
        return Mono.defer(() -> redis.hset(RedisNames.device(key), "v:" + name, stored)).then()
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Void> removeValue(DeviceKey key, String name) {
        return Mono.defer(() -> redis.hdel(RedisNames.device(key), "v:" + name)).then()
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<byte[]> userValue(String user, String name) {
        return redis.hget(RedisNames.user(user), "v:" + name)
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Void> putUserValue(String user, String name, byte[] value) {
        byte[] stored = value.clone();
        return Mono.defer(() -> redis.hset(RedisNames.user(user), "v:" + name, stored)).then()
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Void> removeUserValue(String user, String name) {
        return Mono.defer(() -> redis.hdel(RedisNames.user(user), "v:" + name)).then()
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public void close() {
        shutdown.run();
    }

    // ---- failed logins ------------------------------------------------------------------------------------------

    @Override
    public Mono<Record> read(String key) {
        return redis.hmget(RedisNames.loginFailures(key), "c", "l", "u").collectList()
                .map(fields -> {
                    if (fields.isEmpty() || !fields.get(1).hasValue()) {
                        return Record.NONE;
                    }
                    long locked = Long.parseLong(text(fields.get(2).getValueOrElse(utf8("-1"))));
                    return new Record(Integer.parseInt(text(fields.get(0).getValueOrElse(utf8("0")))),
                            Instant.ofEpochMilli(Long.parseLong(text(fields.get(1).getValue()))),
                            locked < 0 ? null : Instant.ofEpochMilli(locked));
                })
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Boolean> fail(String key, Instant now, int maxFailures, Duration lockout) {
        return LOGIN_FAILURE.run(redis, List.of(RedisNames.loginFailures(key)), utf8(Long.toString(now.toEpochMilli())),
                        utf8(Integer.toString(maxFailures)), utf8(Long.toString(lockout.toMillis())))
                .map(locked -> locked == 1L)
                .onErrorMap(RedisStateStore::unavailable);
    }

    @Override
    public Mono<Void> clear(String key) {
        return redis.del(RedisNames.loginFailures(key)).then().onErrorMap(RedisStateStore::unavailable);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Every failure of this store is Redis being unreachable or failing: the SPI has no other errors. */
    private static Throwable unavailable(Throwable error) {
        return error instanceof StateStoreUnavailableException ? error
                : new StateStoreUnavailableException("redis state store: " + error.getMessage(), error);
    }

    private Mono<Boolean> replace(DeviceKey key, String keyField, String stateField, String expectedKey,
                                  String nextKey, byte[] state) {
        return REPLACE.run(redis, List.of(RedisNames.device(key)), utf8(keyField), utf8(stateField),
                        utf8(expectedKey == null ? "0" : "1"), expectedKey == null ? NO : utf8(expectedKey),
                        utf8(nextKey), state)
                .map(result -> result == 1L);
    }

    private static void shutdown(io.lettuce.core.AbstractRedisClient client, ClientResources resources) {
        client.shutdownAsync(0, 2, TimeUnit.SECONDS)
                .whenComplete((done, error) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A Lua script run by its SHA-1 (EVALSHA), loaded by EVAL when the server does not know it. */
    private record Script(String source, String sha) {
        Script(String source) {
            this(source, sha1(source));
        }

        Mono<Long> run(RedisClusterReactiveCommands<String, byte[]> redis, List<String> keys, byte[]... args) {
            String[] keyArray = keys.toArray(String[]::new);
            return redis.<Long>evalsha(sha, ScriptOutputType.INTEGER, keyArray, args)
                    .onErrorResume(RedisNoScriptException.class,
                            missing -> redis.<Long>eval(source, ScriptOutputType.INTEGER, keyArray, args))
                    .single();
        }

        private static String sha1(String source) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(source.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
