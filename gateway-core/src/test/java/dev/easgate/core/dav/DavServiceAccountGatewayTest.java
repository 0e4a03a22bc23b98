package dev.easgate.core.dav;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.dav.RadicaleProcess;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service account path ({@code dav.username}/{@code dav.password}): the gateway logs in to Radicale with one
 * account allowed to every user's collections, whatever password the user has there (or none at all).
 */
class DavServiceAccountGatewayTest {
    private static RadicaleProcess radicale;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() throws Exception {
        radicale = RadicaleProcess.start(); // demo has no login on Radicale: only the service account reaches it
        radicale.createDefaults("demo");
        server = GatewayTestServer.start(Map.of("dav.url", radicale.url().toString(),
                "dav.username", RadicaleProcess.SERVICE_USER, "dav.password", RadicaleProcess.SERVICE_PASSWORD,
                "dav.watch-interval", "0"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, radicale);
    }

    @Test
    void aVcardPutByAnotherClientReachesThePhoneThroughTheServiceAccount() throws Exception {
        assertThat(radicale.request("PUT", "demo/contacts/service.vcf", "text/vcard",
                "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:service\r\nFN:Sven Service\r\nN:Service;Sven;;;\r\n"
                        + "EMAIL;TYPE=INTERNET:sven@example.org\r\nEND:VCARD\r\n").statusCode()).isBetween(200, 299);
        EasTestClient phone = server.client("demo", "DAVSERVICE");
        phone.provision();
        WbxmlElement folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        String contacts = folders.child("Changes").children("Add").stream()
                .filter(add -> add.childText("Type").equals("9")).map(add -> add.childText("ServerId"))
                .findFirst().orElseThrow();
        String key = phone.syncCollection("0", contacts, null).childText("SyncKey");
        WbxmlElement sync = phone.post("Sync", el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs
                .child("Collection", c -> c.child("SyncKey", key).child("CollectionId", contacts)
                        .child("GetChanges", "1"))).build()).body().child("Collections").child("Collection");
        assertThat(sync.child("Commands").children("Add")).anySatisfy(item -> assertThat(item
                .child("ApplicationData").childText("Contacts:Email1Address")).contains("sven@example.org"));
    }
}
