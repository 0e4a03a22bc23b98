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
                "login.delay-after", "100", "login.max-failures", "4", "login.lockout", "60",
                "proxy.trusted", "127.0.0.0/8");
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

    /** A client whose requests come, through the trusted proxy, from {@code address}. */
    private static EasTestClient from(GatewayTestServer node, String user, String password, String deviceId,
                                      String address) {
        return node.client(user, password, deviceId).header("X-Forwarded-For", address);
    }

    @Test
    void failuresOnEitherNodeAddUpToOneLockoutAndWithRedisGoneEachNodeCountsItsOwn() {
        // bob's phone has logged in before, on node A
        assertThat(from(nodeA, "bob", "demo", "bobs-phone", "192.0.2.10").post("FolderSync", folderSync())
                .status()).isEqualTo(200);
        // four spellings of bob, four addresses, two nodes: one account's count
        String[][] attempts = {{"BOB", "203.0.113.1"}, {"bob@example.com", "203.0.113.2"},
            {"EXAMPLE\\bob", "203.0.113.3"}, {"Bob@Example.COM", "203.0.113.4"}};
        for (int i = 0; i < attempts.length; i++) {
            GatewayTestServer node = i % 2 == 0 ? nodeA : nodeB;
            assertThat(from(node, attempts[i][0], "wrong-password", "spread-" + i, attempts[i][1])
                    .post("FolderSync", folderSync()).status()).as(attempts[i][0]).isEqualTo(401);
        }
        // the 4th in all locked the account: any spelling, any new address and device, either node
        assertThat(from(nodeA, "bob", "wrong-password", "spread-9", "198.51.100.1").post("FolderSync", folderSync())
                .status()).isEqualTo(429);
        assertThat(from(nodeB, "BOB", "wrong-password", "spread-9", "198.51.100.2").post("FolderSync", folderSync())
                .status()).isEqualTo(429);
        // the right password too, on both nodes, from a device the account does not know
        assertThat(from(nodeA, "bob", "demo", "spread-c", "198.51.100.3").options().status()).isEqualTo(429);
        assertThat(from(nodeB, "bob", "demo", "spread-c", "198.51.100.4").post("FolderSync", folderSync())
                .status()).isEqualTo(429);
        // bob's own phone goes on, on the other node and from another address (the device record is shared)
        assertThat(from(nodeB, "bob", "demo", "bobs-phone", "192.0.2.99").post("FolderSync", folderSync())
                .status()).isEqualTo(200);

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
