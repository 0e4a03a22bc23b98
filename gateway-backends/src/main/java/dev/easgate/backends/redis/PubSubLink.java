package dev.easgate.backends.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Redis side of {@link RedisChangeBus}: exactly one pub/sub connection (subscriptions, with Lettuce buffering
 * SUBSCRIBE/UNSUBSCRIBE issued in the instant of a disconnection and replaying them after its own resubscription)
 * and one normal connection for publishing (rejecting commands while disconnected, so publishers fail fast instead of
 * queueing without bound). Standalone: SUBSCRIBE/UNSUBSCRIBE/PUBLISH; cluster: sharded SSUBSCRIBE/SUNSUBSCRIBE/
 * SPUBLISH, routed by the channel's slot.
 */
interface PubSubLink extends AutoCloseable {

    /** What the link reports to the bus; called on Lettuce's event loop: must return quickly. */
    interface Events {
        void message(String channel, String payload);

        /** The pub/sub connection (or one of a cluster's node connections) was lost unexpectedly. */
        void lost(String why);

        /** Every lost connection is back (Lettuce resubscribed what it knew). */
        void restored();
    }

    CompletionStage<Void> subscribe(String channel);

    CompletionStage<Void> unsubscribe(String channel);

    CompletionStage<Long> publish(String channel, String payload);

    @Override
    void close();

    /** Reconnect backoff: 50 ms doubling up to {@code max}, with jitter so that many nodes do not reconnect in step. */
    static ClientResources resources(Duration maxReconnectDelay) {
        return DefaultClientResources.builder()
                .reconnectDelay(Delay.equalJitter(Duration.ofMillis(50), maxReconnectDelay, 2, TimeUnit.MILLISECONDS))
                .build();
    }

    static SocketOptions socketOptions() {
        return SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).keepAlive(true).build();
    }

    /** Commands a cluster client buffers while a node connection is not up; beyond, they fail at once. */
    int CLUSTER_QUEUE = 10_000;

    static TimeoutOptions timeouts() {
        return TimeoutOptions.enabled(Duration.ofSeconds(5));
    }

    /**
     * Turns Lettuce's per-connection state callbacks into lost/restored for a set of connections: lost as soon as
     * one of them drops (not by our close), restored when every dropped one is back. Connections never seen dropping
     * (a cluster's node connection opened for the first time) report nothing.
     */
    /** Shuts both clients down, then the resources they share; nothing waits on the caller's thread. */
    private static void shutdownAll(ClientResources resources,
                                    AbstractRedisClient... clients) {
        CompletableFuture<?>[] shutdowns = new CompletableFuture<?>[clients.length];
        for (int i = 0; i < clients.length; i++) {
            shutdowns[i] = clients[i].shutdownAsync(0, 2, TimeUnit.SECONDS);
        }
        CompletableFuture.allOf(shutdowns).whenComplete((done, error) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
    }

    final class ConnectionWatch implements RedisConnectionStateListener {
        private final Events events;
        private final Set<RedisChannelHandler<?, ?>> down = ConcurrentHashMap.newKeySet();
        private volatile boolean closing;

        ConnectionWatch(Events events) {
            this.events = events;
        }

        void closing() {
            closing = true;
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (closing || !(connection instanceof StatefulRedisPubSubConnection<?, ?>)) {
                return; // our own close, or a cluster topology refresh connection
            }
            down.add(connection);
            events.lost("lost " + connection);
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (closing) {
                return;
            }
            synchronized (down) {
                if (down.remove(connection) && down.isEmpty()) {
                    events.restored();
                }
            }
        }
    }

    /** One Redis server. */
    final class Standalone implements PubSubLink {
        private final ClientResources resources;
        private final RedisClient subscriberClient;
        private final RedisClient publisherClient;
        private final ConnectionWatch watch;
        private final StatefulRedisPubSubConnection<String, String> subscriber;
        private final StatefulRedisConnection<String, String> publisher;

        Standalone(RedisURI uri, Duration maxReconnectDelay, Events events) {
            resources = resources(maxReconnectDelay);
            subscriberClient = RedisClient.create(resources, uri);
            subscriberClient.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .socketOptions(socketOptions())
                    .build());
            publisherClient = RedisClient.create(resources, uri);
            publisherClient.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socketOptions())
                    .timeoutOptions(timeouts())
                    .build());
            watch = new ConnectionWatch(events);
            try {
                subscriber = subscriberClient.connectPubSub(StringCodec.UTF8);
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        events.message(channel, message);
                    }
                });
                subscriberClient.addListener(watch);
                publisher = publisherClient.connect(StringCodec.UTF8);
            } catch (RuntimeException e) {
                shutdown();
                throw e;
            }
        }

        @Override
        public CompletionStage<Void> subscribe(String channel) {
            return subscriber.async().subscribe(channel);
        }

        @Override
        public CompletionStage<Void> unsubscribe(String channel) {
            return subscriber.async().unsubscribe(channel);
        }

        @Override
        public CompletionStage<Long> publish(String channel, String payload) {
            return publisher.async().publish(channel, payload);
        }

        @Override
        public void close() {
            watch.closing();
            shutdown();
        }

        private void shutdown() {
            shutdownAll(resources, subscriberClient, publisherClient);
        }
    }

    /** A Redis Cluster: sharded pub/sub, so that a user's messages travel only to the shard owning the channel. */
    final class Cluster implements PubSubLink {
        private final ClientResources resources;
        private final RedisClusterClient subscriberClient;
        private final RedisClusterClient publisherClient;
        private final ConnectionWatch watch;
        private final StatefulRedisClusterPubSubConnection<String, String> subscriber;
        private final StatefulRedisClusterConnection<String, String> publisher;

        Cluster(List<RedisURI> seeds, Duration maxReconnectDelay, Events events) {
            resources = resources(maxReconnectDelay);
            ClusterTopologyRefreshOptions topology = ClusterTopologyRefreshOptions.builder()
                    .enablePeriodicRefresh(Duration.ofSeconds(30))
                    .enableAllAdaptiveRefreshTriggers()
                    // a node connection closed on purpose would look like an outage that never ends
                    .closeStaleConnections(false)
                    .build();
            subscriberClient = RedisClusterClient.create(resources, seeds);
            subscriberClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .socketOptions(socketOptions())
                    .topologyRefreshOptions(topology)
                    .build());
            publisherClient = RedisClusterClient.create(resources, seeds);
            publisherClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    // a cluster opens node connections on first use, and REJECT would refuse a command meanwhile:
                    // buffer instead, but boundedly, and fail after the command timeout
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .requestQueueSize(CLUSTER_QUEUE)
                    .socketOptions(socketOptions())
                    .timeoutOptions(timeouts())
                    .topologyRefreshOptions(topology)
                    .build());
            watch = new ConnectionWatch(events);
            try {
                subscriber = subscriberClient.connectPubSub(StringCodec.UTF8);
                // sharded subscriptions live on node connections: hand their messages to our listener
                subscriber.setNodeMessagePropagation(true);
                subscriber.addListener(new RedisClusterPubSubAdapter<>() {
                    @Override
                    public void smessage(RedisClusterNode node, String channel, String message) {
                        events.message(channel, message);
                    }
                });
                subscriberClient.addListener(watch);
                publisher = publisherClient.connect(StringCodec.UTF8);
            } catch (RuntimeException e) {
                shutdown();
                throw e;
            }
        }

        @Override
        public CompletionStage<Void> subscribe(String channel) {
            return subscriber.async().ssubscribe(channel);
        }

        @Override
        public CompletionStage<Void> unsubscribe(String channel) {
            return subscriber.async().sunsubscribe(channel);
        }

        @Override
        public CompletionStage<Long> publish(String channel, String payload) {
            return publisher.async().spublish(channel, payload);
        }

        @Override
        public void close() {
            watch.closing();
            shutdown();
        }

        private void shutdown() {
            shutdownAll(resources, subscriberClient, publisherClient);
        }
    }
}
