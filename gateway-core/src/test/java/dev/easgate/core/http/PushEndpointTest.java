package dev.easgate.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The push webhook: a store's HTTP call wakes the parked device; bad tokens and bodies are refused. */
class PushEndpointTest {
    private static GatewayTestServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("push.token", "s3cret", "heartbeat.min", "1"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private HttpResponse<String> push(String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri().resolve(PushEndpoint.PATH))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPushedEventWakesTheParkedDevice() throws Exception {
        EasTestClient phone = server.client("demo", "push-phone");
        phone.provision();
        var store = server.gateway().services().mailStore();
        String inbox = store.folders("demo").filter(f -> f.type() == FolderType.INBOX).map(Folder::id).blockFirst();
        long now = store.changesSince("demo", inbox, 0).block().highestModSeq();
        server.gateway().services().stateStore().replaceCollection(new DeviceKey("demo", "push-phone"), inbox, null,
                new CollectionState("1", now, Map.of(), "0", new byte[0], new byte[0])).block();
        CompletableFuture<EasTestClient.Response> parked = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                WbxmlElement.el(CodePage.PING, "Ping").child("HeartbeatInterval", 600)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                        .build()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.gateway().services().heartbeat().parked() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        HttpResponse<String> accepted = push("s3cret",
                "{\"user\":\"bob\",\"t\":\"folder\"}\n{\"user\":\"demo\",\"t\":\"folder\",\"f\":\"" + inbox + "\"}\n");
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.body()).isEqualTo("{\"accepted\":2}");

        EasTestClient.Response woken = parked.get(10, TimeUnit.SECONDS);
        assertThat(woken.text("Status")).isEqualTo("2");
    }

    @Test
    void refusesWrongTokensAndBadBodies() throws Exception {
        assertThat(push(null, "{\"user\":\"demo\",\"t\":\"folder\"}").statusCode()).isEqualTo(401);
        assertThat(push("wrong", "{\"user\":\"demo\",\"t\":\"folder\"}").statusCode()).isEqualTo(401);
        HttpResponse<String> bad = push("s3cret", "{\"user\":\"demo\",\"t\":\"folder\"}\nnot json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("line 2");
        assertThat(push("s3cret", "{\"t\":\"folder\"}").statusCode()).isEqualTo(400);
        assertThat(push("s3cret", "{\"user\":\"demo\",\"t\":\"parked\",\"d\":\"x\",\"p\":\"y\"}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void isOffWithoutAToken() throws Exception {
        try (GatewayTestServer plain = GatewayTestServer.start()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(plain.uri().resolve(PushEndpoint.PATH))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(404);
        }
    }
}
