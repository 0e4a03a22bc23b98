package dev.easgate.core.admin;

import dev.easgate.backends.redis.RedisServerProcess;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The admin contract with the state (devices, wipe state, block list) in a real redis-server. */
class AdminApiRedisTest extends AdminApiContract {
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        startGateway(Map.of("redis", "redis://127.0.0.1:" + redis.port()));
    }

    @AfterAll
    static void stopRedis() {
        stopGateway();
        server = null;
        redis.close();
    }
}
