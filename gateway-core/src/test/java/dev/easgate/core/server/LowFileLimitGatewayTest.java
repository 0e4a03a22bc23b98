package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node run with a low open-file limit ({@code ulimit -n 256}, in a child JVM) while a client piles up connections
 * that never send a byte, far past that limit: with the automatic {@code http.max-connections} the node keeps
 * serving a real device (Provision, FolderSync, a parked Ping) by closing the longest idle connections; with the
 * limit lifted it runs out of descriptors, says so in a WARN line, and serves again once the pile is gone.
 */
@Timeout(180)
class LowFileLimitGatewayTest {
    private static final int OPEN_FILE_LIMIT = 256;
    private static final int PILE = 400;

    @TempDir
    Path data;

    private List<String> options(String... more) {
        List<String> options = new ArrayList<>(List.of("--port=0", "--data.dir=" + data,
                "--heartbeat.min=2"));
        options.addAll(List.of(more));
        return options;
    }

    @Test
    void idleConnectionsPastTheFileLimitDoNotStarveADevice() throws Exception {
        List<Socket> pile = new CopyOnWriteArrayList<>();
        AtomicBoolean piling = new AtomicBoolean(true);
        try (GatewayChild node = GatewayChild.start(options(), OPEN_FILE_LIMIT)) {
            pileUp(node.uri(), pile, PILE);
            // more keep arriving while the device works
            CompletableFuture<Void> more = CompletableFuture.runAsync(() -> {
                while (piling.get()) {
                    pileUp(node.uri(), pile, 1);
                    sleep(5);
                }
            });
            try {
                EasTestClient phone = new EasTestClient(node.uri(), "alice", "demo", "LOWFD");
                assertThat(phone.provision().text("Status")).isEqualTo("1");
                Response folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                        .child("SyncKey", "0").build());
                assertThat(folders.status()).isEqualTo(200);
                String inbox = folders.body().child("Changes").children("Add").stream()
                        .filter(add -> "2".equals(add.childText("Type"))).findFirst().orElseThrow()
                        .childText("ServerId");
                WbxmlElement ping = el(CodePage.PING, "Ping").child("HeartbeatInterval", 3L)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                        .build();
                Response answered = phone.post("Ping", ping);
                assertThat(answered.status()).isEqualTo(200);
                assertThat(answered.text("Status")).as("Ping status (1 expired, 2 changes)").isIn("1", "2");
                assertThat(phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                        .child("SyncKey", folders.text("SyncKey")).build()).text("Status")).isEqualTo("1");
            } finally {
                piling.set(false);
                more.get();
            }
            assertThat(pile.size()).as("connections piled up").isGreaterThan(PILE);
            String metrics = metrics(node.uri());
            assertThat(counter(metrics, "easgate_http_closed_total\\{reason=\"evicted\",?\\}"))
                    .as("evicted idle connections").isGreaterThan(OPEN_FILE_LIMIT / 2.0);
            assertThat(node.printed("Too many open files")).as("out of descriptors:\n" + node.output()).isZero();
        } finally {
            Closing.closeAll(pile.toArray(new AutoCloseable[0]));
        }
    }

    @Test
    void outOfDescriptorsTheNodeSaysSoAndServesAgainOnceTheyAreFree() throws Exception {
        List<Socket> pile = new CopyOnWriteArrayList<>();
        try (GatewayChild node = GatewayChild.start(options("--http.max-connections=100000"), OPEN_FILE_LIMIT)) {
            pileUp(node.uri(), pile, PILE);
            String warning = node.awaitOutput("cannot accept connections", Duration.ofSeconds(20));
            assertThat(warning).contains("WARN").contains("Too many open files").contains("http.max-connections");
            Closing.closeAll(pile.toArray(new AutoCloseable[0]));
            pile.clear();
            EasTestClient phone = new EasTestClient(node.uri(), "alice", "demo", "AFTERFD");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    assertThat(phone.provision().text("Status")).isEqualTo("1");
                    break;
                } catch (RuntimeException e) {
                    // the node accepts again once the closed connections are gone (it pauses a second per failure)
                    assertThat(System.nanoTime()).as("served again: " + e).isLessThan(deadline);
                    sleep(500);
                }
            }
            assertThat(counter(metrics(node.uri()), "easgate_http_accept_failures_total")).isGreaterThan(0);
            // one line a minute at most, and nobody else (Netty) logging each failure
            assertThat(node.printed("cannot accept connections")).isEqualTo(1);
            assertThat(node.printed("Too many open files")).as(node.output()).isEqualTo(1);
        } finally {
            Closing.closeAll(pile.toArray(new AutoCloseable[0]));
        }
    }

    /** Opens {@code count} connections that never send a byte (those the node cannot take yet wait in its backlog). */
    private static void pileUp(URI uri, List<Socket> pile, int count) {
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
                pile.add(socket);
            } catch (IOException e) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to free
                }
            }
        }
    }

    /**
     * The node's metrics; a new connection may wait in the accept backlog behind the silent ones until evictions make
     * room, which takes longer on a loaded machine, so it is tried three times (30 s in all) before failing.
     */
    private static String metrics(URI uri) throws IOException, InterruptedException {
        HttpTimeoutException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        uri.resolve("/metrics")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                return response.body();
            } catch (HttpTimeoutException e) {
                last = e;
            }
        }
        throw last;
    }

    private static double counter(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.E+]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
