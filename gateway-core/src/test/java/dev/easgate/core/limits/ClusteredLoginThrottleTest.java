package dev.easgate.core.limits;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.redis.RedisServerProcess;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes sharing a real redis-server count failed logins together: an attacker alternating between them is locked
 * out after login.max-failures in all, not per node. With Redis gone, logins go on, counted in each node's memory.
 */
class ClusteredLoginThrottleTest {
    private static RedisServerProcess redis;
    private static GatewayTestServer nodeA;
    private static GatewayTestServer nodeB;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        Map<String, String> options = Map.of("redis", "redis://127.0.0.1:" + redis.port(),
                "login.delay-after", "100", "login.max-failures", "4", "login.lockout", "60");
        nodeA = GatewayTestServer.start(options);
        nodeB = GatewayTestServer.start(options);
    }

    @AfterAll
    static void stop() {
        for (GatewayTestServer node : new GatewayTestServer[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static WbxmlElement folderSync() {
        return el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build();
    }

    @Test
    void failuresOnEitherNodeAddUpToOneLockoutAndWithRedisGoneEachNodeCountsItsOwn() {
        EasTestClient onA = nodeA.client("bob", "wrong-password", "spread-a");
        EasTestClient onB = nodeB.client("bob", "wrong-password", "spread-b");
        assertThat(onA.post("FolderSync", folderSync()).status()).isEqualTo(401);
        assertThat(onB.post("FolderSync", folderSync()).status()).isEqualTo(401);
        assertThat(onA.post("FolderSync", folderSync()).status()).isEqualTo(401);
        assertThat(onB.post("FolderSync", folderSync()).status()).isEqualTo(401); // the 4th in all: locks out
        assertThat(onA.post("FolderSync", folderSync()).status()).isEqualTo(429);
        assertThat(onB.post("FolderSync", folderSync()).status()).isEqualTo(429);
        // the right password too, on both nodes, while locked out
        assertThat(nodeA.client("bob", "spread-c").options().status()).isEqualTo(429);
        assertThat(nodeB.client("bob", "spread-c").options().status()).isEqualTo(429);

        try (LogCapture logs = LogCapture.root()) {
            redis.stop();
            try {
                // the node cannot read the shared lockout: it counts in its own memory, which knows of none yet
                assertThat(nodeA.client("demo", "outage-right").options().status()).isEqualTo(200);
                EasTestClient wrong = nodeA.client("alice", "wrong-password", "outage-wrong");
                for (int i = 0; i < 4; i++) {
                    assertThat(wrong.options().status()).isEqualTo(401);
                }
                assertThat(wrong.options().status()).as("locked out by this node's own count").isEqualTo(429);
                assertThat(logs.lines()).anyMatch(l -> l.contains("failed logins are counted in this node's memory"));
            } finally {
                redis.restart();
            }
        }
    }
}
