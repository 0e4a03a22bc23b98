package dev.easgate.backends.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ChangeBusContract;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.state.StateStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.Disposable;

/** Both contracts on a real three-master Redis Cluster (started once for both): sharded pub/sub, one-slot scripts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisClusterTest {
    private static RedisClusterProcess cluster;
    private static RedisChangeBus bus;
    private static RedisStateStore store;

    @BeforeAll
    static void start() {
        cluster = RedisClusterProcess.start();
        bus = (RedisChangeBus) RedisChangeBus.create(cluster.clusterUri());
        store = RedisStateStore.create(cluster.clusterUri());
    }

    @AfterAll
    static void stop() {
        if (bus != null) {
            bus.close();
        }
        if (store != null) {
            store.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Nested
    class ChangeBusOnACluster implements ChangeBusContract {
        @Override
        public ChangeBus bus() {
            return bus;
        }

        @Override
        public long openSubscriptions() {
            return cluster.commandOnEveryNode("PUBSUB", "SHARDCHANNELS", "easgate:*").stream()
                    .mapToLong(reply -> reply.lines().filter(line -> !line.isEmpty()).count()).sum();
        }

        @Override
        public long retainedListeners() {
            return bus.listeners() + bus.listenedUsers();
        }

        /** A sharded channel lives on the shard owning the user's slot only: SPUBLISH there reaches the listener. */
        @Test
        void aMailServerCanSpublishToTheShardOfTheUser() throws Exception {
            String user = "dave@example.com";
            Recorder listener = new Recorder();
            Disposable registration = bus.listen(user, listener).block(WAIT);
            try {
                String channel = RedisNames.changeChannel(user);
                long subscribedNodes = cluster.commandOnEveryNode("PUBSUB", "SHARDCHANNELS", channel).stream()
                        .filter(reply -> reply.contains(channel)).count();
                assertThat(subscribedNodes).isEqualTo(1);
                // redis-cli -c follows the MOVED redirection; here: try every node, the owner accepts
                cluster.commandOnEveryNode("SPUBLISH", channel, "{\"t\":\"folder\",\"f\":\"INBOX\"}");
                assertThat(listener.next()).isEqualTo(new BusEvent.FolderChanged(user, "INBOX", false, 0));
            } finally {
                registration.dispose();
            }
        }
    }

    @Nested
    class StateStoreOnACluster implements StateStoreContract, dev.easgate.backends.auth.LoginFailuresContract {
        @Override
        public StateStore stateStore() {
            return store;
        }

        @Override
        public dev.easgate.backends.auth.LoginFailures loginFailures() {
            return store;
        }
    }
}
