package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Racing requests with the same sync key: the client's Add is applied once, both get the same answer. */
class SyncRaceIntegrationTest {
    private static GatewayTestServer server;
    private static MailStore store;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
        store = server.gateway().services().mailStore();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void twoRacingRequestsApplyTheAddOnce() throws Exception {
        Folder tasks = store.folders("bob").filter(f -> f.type() == FolderType.TASKS).blockFirst();
        EasTestClient client = server.client("bob", "race-1");
        client.provision();
        client.post("Sync", sync("0", tasks.id(), false));
        String key = client.post("Sync", sync("1", tasks.id(), false)).body().child("Collections")
                .child("Collection").childText("SyncKey");
        int before = store.changesSince("bob", tasks.id(), 0).block().changed().size();
        for (int round = 0; round < 5; round++) {
            WbxmlElement request = sync(key, tasks.id(), true);
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<EasTestClient.Response>> racing = List.of(
                    CompletableFuture.supplyAsync(() -> await(go, client, request)),
                    CompletableFuture.supplyAsync(() -> await(go, client, request)));
            go.countDown();
            EasTestClient.Response a = racing.get(0).get();
            EasTestClient.Response b = racing.get(1).get();
            assertThat(a.bytes()).isEqualTo(b.bytes());
            WbxmlElement collection = WbxmlDecoder.DEFAULT.decode(a.bytes()).child("Collections")
                    .child("Collection");
            assertThat(collection.childText("Status")).isEqualTo("1");
            key = collection.childText("SyncKey");
        }
        assertThat(store.changesSince("bob", tasks.id(), 0).block().changed()).hasSize(before + 5);
    }

    private static EasTestClient.Response await(CountDownLatch go, EasTestClient client, WbxmlElement request) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return client.post("Sync", request);
    }

    private static WbxmlElement sync(String key, String collectionId, boolean add) {
        return WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId);
            if (add) {
                c.child("Commands", cmd -> cmd.child("Add", a -> a.child("ClientId", "race")
                        .child("ApplicationData", d -> d.child("Tasks:Subject", "Race task"))));
            }
        })).build();
    }
}
