package dev.easgate.core.command.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GetItemEstimate over real HTTP. */
class GetItemEstimateIntegrationTest {
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

    private static WbxmlElement estimate(String key, String collectionId) {
        return WbxmlElement.el(CodePage.GET_ITEM_ESTIMATE, "GetItemEstimate")
                .child("Collections", cs -> cs.child("Collection", c -> c
                        .child("AirSync:SyncKey", key)
                        .child("CollectionId", collectionId)))
                .build();
    }

    private static WbxmlElement sync(String key, String collectionId, int window) {
        return WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> c
                .child("SyncKey", key).child("CollectionId", collectionId).child("WindowSize", window))).build();
    }

    private static ItemContent.Email email(int n) {
        String mime = "From: a@example.com\r\nTo: b@example.com\r\nSubject: estimate " + n
                + "\r\nContent-Type: text/plain\r\n\r\nbody\r\n";
        return new ItemContent.Email(mime.getBytes(StandardCharsets.US_ASCII), EmailFlags.UNREAD);
    }

    @Test
    void countsPendingChangesAndRefusesUnprimedAndUnknown() {
        Folder folder = store.createFolder("alice", Folder.ROOT, "estimates", FolderType.USER_MAIL).block();
        for (int i = 0; i < 7; i++) {
            store.add("alice", folder.id(), email(i)).block();
        }
        EasTestClient client = server.client("alice", "gie-1");
        client.provision();
        WbxmlElement notPrimed = client.post("GetItemEstimate", estimate("0", folder.id())).body().child("Response");
        assertThat(notPrimed.childText("Status")).isEqualTo("3");

        client.post("Sync", sync("0", folder.id(), 5));
        WbxmlElement all = client.post("GetItemEstimate", estimate("1", folder.id())).body().child("Response");
        assertThat(all.childText("Status")).isEqualTo("1");
        assertThat(all.child("Collection").childText("Estimate")).isEqualTo("7");

        String key = client.post("Sync", sync("1", folder.id(), 5)).body().child("Collections")
                .child("Collection").childText("SyncKey");
        WbxmlElement rest = client.post("GetItemEstimate", estimate(key, folder.id())).body().child("Response");
        assertThat(rest.child("Collection").childText("Estimate")).isEqualTo("2");

        assertThat(client.post("GetItemEstimate", estimate("99", folder.id())).body().child("Response")
                .childText("Status")).isEqualTo("4");
        assertThat(client.post("GetItemEstimate", estimate("1", "nope")).body().child("Response")
                .childText("Status")).isEqualTo("2");
    }
}
