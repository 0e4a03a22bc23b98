package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.command.sync.OwnWritesDriver.Synced;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The own-writes contracts on the memory store (demo-seeded mailboxes, contacts and calendars). */
class MemoryOwnWritesTest implements MailOwnWritesContract, PimOwnWritesContract {
    private static final String PASSWORD = "own-writes";
    private static final AtomicInteger USERS = new AtomicInteger();
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("memory.password", PASSWORD, "heartbeat.min", "1"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    public GatewayTestServer server() {
        return server;
    }

    @Override
    public TestUser newMailUser() {
        return new TestUser("own" + USERS.incrementAndGet(), PASSWORD);
    }

    @Override
    public TestUser newPimUser() {
        return newMailUser();
    }

    /**
     * A device that writes on one connection while its own Ping is parked on another (the gateway publishes the
     * write tagged with the device): the Ping runs to its heartbeat's end, while another device's write still wakes.
     */
    @Test
    void aWriteOfTheDeviceWhileItsOwnPingIsParkedDoesNotWakeIt() throws Exception {
        TestUser user = newMailUser();
        EasTestClient phone = OwnWritesDriver.device(server, user, "OWNPARKA");
        EasTestClient tablet = OwnWritesDriver.device(server, user, "OWNPARKB");
        String inbox = OwnWritesDriver.folder(phone, "Inbox");
        OwnWritesDriver.folder(tablet, "Inbox");
        Synced phoneView = OwnWritesDriver.syncToEnd(phone, inbox);
        Synced tabletView = OwnWritesDriver.syncToEnd(tablet, inbox);

        long started = System.nanoTime();
        CompletableFuture<EasTestClient.Response> ping = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", OwnWritesDriver.pingRequest(3, inbox)));
        OwnWritesDriver.awaitParked(server);
        OwnWritesDriver.write(phone, phoneView.key(), inbox, false, c -> c.child("Change", ch -> ch
                .child("ServerId", phoneView.ids().get(0)).child("ApplicationData", d -> d.child("Email:Read", "1"))));
        assertThat(ping.get(10, TimeUnit.SECONDS).text("Status")).isEqualTo("1");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));

        CompletableFuture<EasTestClient.Response> second = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", OwnWritesDriver.pingRequest(60, inbox)));
        OwnWritesDriver.awaitParked(server);
        OwnWritesDriver.write(tablet, tabletView.key(), inbox, false, c -> c.child("Change", ch -> ch
                .child("ServerId", tabletView.ids().get(1)).child("ApplicationData", d -> d.child("Email:Flag",
                        f -> f.child("Email:Status", "2")))));
        assertThat(second.get(10, TimeUnit.SECONDS).text("Status")).isEqualTo("2");
    }
}
