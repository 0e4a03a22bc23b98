package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An event's location as the AirSyncBase:Location structure for 16.0+, as Calendar:Location text before. */
class CalendarLocationIntegrationTest {
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

    private static EasTestClient client(String device, String version) {
        return server.provisioned("bob", device, version);
    }

    @Test
    void locationIsAStructureFor16AndTextBefore() {
        Folder calendar = store.folders("bob").filter(f -> f.type() == FolderType.CALENDAR).blockFirst();
        EasTestClient v16 = client("loc-16", "16.1");
        EasTestClient v14 = client("loc-14", "14.1");
        String key = v16.syncCollection("0", calendar.id(), null).childText("SyncKey");
        WbxmlElement added = v16.syncCollection(key, calendar.id(), cmds -> cmds.child("Add", a -> a
                .child("ClientId", "ev-1")
                .child("ApplicationData", d -> d
                        .child("Calendar:Subject", "Offsite")
                        .child("Calendar:StartTime", "20300105T090000Z")
                        .child("Calendar:EndTime", "20300105T170000Z")
                        .child("AirSyncBase:Location", l -> l
                                .child("DisplayName", "Harbour House")
                                .child("Annotation", "second floor")
                                .child("Street", "1 Quay Road")
                                .child("City", "Bristol")
                                .child("Country", "UK")))));
        String serverId = added.child("Responses").child("Add").childText("ServerId");
        key = added.childText("SyncKey");

        WbxmlElement structured = v16.fetchItem(calendar.id(), serverId);
        assertThat(structured.child("Calendar:Location")).isNull();
        WbxmlElement location = structured.child("AirSyncBase:Location");
        assertThat(location.childText("DisplayName")).isEqualTo("Harbour House");
        assertThat(location.childText("City")).isEqualTo("Bristol");
        assertThat(location.childText("Annotation")).isEqualTo("second floor");

        WbxmlElement text = v14.fetchItem(calendar.id(), serverId);
        assertThat(text.childText("Calendar:Location")).isEqualTo("Harbour House");
        assertThat(text.child("AirSyncBase:Location")).isNull();

        // a 14.1 client changes the text: the stale structure goes, 16.1 sees the new text as DisplayName
        String key14 = v14.syncCollection("0", calendar.id(), null).childText("SyncKey");
        WbxmlElement changed = v14.syncCollection(key14, calendar.id(), cmds -> cmds.child("Change", c -> c
                .child("ServerId", serverId)
                .child("ApplicationData", d -> d.child("Calendar:Location", "Room 4"))));
        assertThat(changed.childText("Status")).isEqualTo("1");
        WbxmlElement after = v16.fetchItem(calendar.id(), serverId).child("AirSyncBase:Location");
        assertThat(after.childText("DisplayName")).isEqualTo("Room 4");
        assertThat(after.child("City")).isNull();
    }
}
