package dev.easgate.core.dav;

import dev.easgate.backends.dav.RadicaleProcess;
import dev.easgate.core.command.sync.PimOwnWritesContract;
import dev.easgate.core.command.sync.TestUser;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.GatewayTestServer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The own-writes contract for contacts on a real Radicale (vCards, ETags, sync-collection), the gateway logging in
 * as each user with their own password (per-user htpasswd, {@code owner_only}, no service account).
 */
class DavOwnWritesTest implements PimOwnWritesContract {
    private static final String PASSWORD = "own-writes";
    private static final AtomicInteger USERS = new AtomicInteger();
    private static RadicaleProcess radicale;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() throws Exception {
        radicale = RadicaleProcess.startPerUser();
        server = GatewayTestServer.start(Map.of("memory.password", PASSWORD, "heartbeat.min", "1",
                "dav.url", radicale.url().toString(), "dav.watch-interval", "0"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, radicale);
    }

    @Override
    public GatewayTestServer server() {
        return server;
    }

    @Override
    public TestUser newPimUser() {
        String user = "davown" + USERS.incrementAndGet();
        try {
            radicale.addUser(user, PASSWORD);
            radicale.createDefaults(user, user, PASSWORD);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new TestUser(user, PASSWORD);
    }
}
