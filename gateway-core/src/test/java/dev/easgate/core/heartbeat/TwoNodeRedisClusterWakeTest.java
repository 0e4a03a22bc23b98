package dev.easgate.core.heartbeat;

import dev.easgate.backends.redis.RedisClusterProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The two-node contract on a real 3-master Redis Cluster (started by the test): sharded pub/sub carries a user's
 * change events only through the shard that owns the user's channel.
 */
class TwoNodeRedisClusterWakeTest extends TwoNodeWakeContract {
    private static RedisClusterProcess cluster;

    @BeforeAll
    static void start() {
        cluster = RedisClusterProcess.start();
        startNodes(cluster.clusterUri());
    }

    @AfterAll
    static void stop() {
        stopNodes();
        cluster.close();
    }
}
