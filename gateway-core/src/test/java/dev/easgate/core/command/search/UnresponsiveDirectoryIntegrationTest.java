package dev.easgate.core.command.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A GAL whose LDAP server accepts connections and never answers: Search answers Store status 10 (timed out) and
 * ResolveRecipients status 6 (server error) after {@code search.timeout-seconds}, instead of holding the phone
 * until the LDAP read timeout.
 */
class UnresponsiveDirectoryIntegrationTest {
    private static ServerSocket blackHole;
    private static final List<Socket> held = new CopyOnWriteArrayList<>();
    private static GatewayTestServer server;
    private static EasTestClient client;

    @BeforeAll
    static void start() throws IOException {
        blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!blackHole.isClosed()) {
                try {
                    held.add(blackHole.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }, "ldap-black-hole");
        acceptor.setDaemon(true);
        acceptor.start();
        server = GatewayTestServer.start(Map.of(
                "directory", "ldap",
                "directory.ldap.url", "ldap://127.0.0.1:" + blackHole.getLocalPort(),
                "directory.ldap.base", "dc=example,dc=com",
                "search.timeout-seconds", "1",
                "startup.probe-timeout", "1")); // the start-up probe of the silent LDAP server waits no longer
        client = server.client("demo", "black-hole-device");
        client.provision();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        blackHole.close();
        for (Socket socket : held) {
            socket.close();
        }
    }

    @Test
    void aGalSearchTimesOutWithStoreStatus10() {
        EasTestClient.Response response = client.post("Search", SearchIntegrationTest.gal("ali", null));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("Status")).isEqualTo("1");
        WbxmlElement store = response.body().child("Response").child("Store");
        assertThat(store.childText("Status")).isEqualTo("10");
        assertThat(store.children("Result")).isEmpty();
    }

    @Test
    void resolveRecipientsAnswersServerError() {
        EasTestClient.Response response = client.post("ResolveRecipients",
                WbxmlElement.el(CodePage.RESOLVE_RECIPIENTS, "ResolveRecipients").child("To", "alice").build());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("Status")).isEqualTo("6");
        assertThat(response.body().children("Response")).isEmpty();
    }
}
