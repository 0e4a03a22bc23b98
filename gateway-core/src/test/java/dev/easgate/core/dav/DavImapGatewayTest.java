package dev.easgate.core.dav;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.dav.RadicaleProcess;
import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-user DAV logins with {@code --backend=imap}: the password a phone logs in with is checked by Dovecot and then
 * used for Radicale (per-user passwords, {@code owner_only}, no service account); the phone sees its IMAP mail
 * folders beside its own DAV collections, never another user's.
 */
class DavImapGatewayTest {
    private static DovecotProcess dovecot;
    private static RadicaleProcess radicale;
    private static GatewayTestServer server;
    private static String first;
    private static String second;

    @BeforeAll
    static void start() throws Exception {
        dovecot = DovecotProcess.start();
        first = dovecot.nextUser();
        second = dovecot.nextUser();
        radicale = RadicaleProcess.startPerUser(first, DovecotProcess.PASSWORD, second, DovecotProcess.PASSWORD);
        server = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "dav.url", radicale.url().toString(),
                "dav.watch-interval", "0"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, radicale, dovecot);
    }

    private static Map<String, String> folders(EasTestClient phone) {
        WbxmlElement answer = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        assertThat(answer.childText("Status")).isEqualTo("1");
        Map<String, String> ids = new HashMap<>();
        for (WbxmlElement add : answer.child("Changes").children("Add")) {
            ids.putIfAbsent(add.childText("Type"), add.childText("ServerId"));
        }
        return ids;
    }

    private static EasTestClient.Response sync(EasTestClient phone, String key, String collectionId) {
        return phone.post("Sync", el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection",
                c -> {
                    c.child("SyncKey", key).child("CollectionId", collectionId);
                    if (!key.equals("0")) {
                        c.child("GetChanges", "1");
                    }
                })).build());
    }

    @Test
    void theImapPasswordLogsInToRadicaleAndEachUserSeesTheirOwnContacts() throws Exception {
        EasTestClient phone = new EasTestClient(server.uri(), first, DovecotProcess.PASSWORD, "DAVIMAP1");
        EasTestClient other = new EasTestClient(server.uri(), second, DovecotProcess.PASSWORD, "DAVIMAP2");
        phone.provision();
        other.provision();
        Map<String, String> mine = folders(phone);
        assertThat(mine.get("2")).as("the IMAP Inbox").isNotNull();
        assertThat(mine.get("9")).as("the DAV address book").isNotNull().startsWith("d");
        Map<String, String> theirs = folders(other);
        assertThat(theirs.get("9")).isNotNull().isNotEqualTo(mine.get("9"));

        assertThat(radicale.requestAs(first, DovecotProcess.PASSWORD, "PUT", first + "/contacts/imap-side.vcf",
                "text/vcard", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:imap-side\r\nFN:Ida Imap\r\nN:Imap;Ida;;;\r\n"
                        + "EMAIL;TYPE=INTERNET:ida.imap@example.org\r\nEND:VCARD\r\n").statusCode())
                .isBetween(200, 299);
        String key = sync(phone, "0", mine.get("9")).body().child("Collections").child("Collection")
                .childText("SyncKey");
        EasTestClient.Response items = sync(phone, key, mine.get("9"));
        assertThat(new String(items.bytes(), StandardCharsets.ISO_8859_1)).contains("ida.imap@example.org");

        String theirKey = sync(other, "0", theirs.get("9")).body().child("Collections").child("Collection")
                .childText("SyncKey");
        EasTestClient.Response nothing = sync(other, theirKey, theirs.get("9"));
        assertThat(nothing.bytes() == null ? "" : new String(nothing.bytes(), StandardCharsets.ISO_8859_1))
                .doesNotContain("ida.imap");
    }
}
