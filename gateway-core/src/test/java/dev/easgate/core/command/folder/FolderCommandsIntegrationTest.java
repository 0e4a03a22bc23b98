package dev.easgate.core.command.folder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** FolderSync, FolderCreate, FolderUpdate and FolderDelete over real HTTP against the demo mailbox. */
class FolderCommandsIntegrationTest {
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static EasTestClient provisioned(String user, String deviceId) {
        return server.provisioned(user, deviceId);
    }

    static EasTestClient.Response folderSync(EasTestClient client, String key) {
        return client.post("FolderSync",
                WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", key).build());
    }

    private static EasTestClient.Response create(EasTestClient client, String key, String parent, String name,
                                                 int type) {
        return client.post("FolderCreate", WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderCreate")
                .child("SyncKey", key).child("ParentId", parent).child("DisplayName", name).child("Type", type)
                .build());
    }

    private static EasTestClient.Response update(EasTestClient client, String key, String id, String parent,
                                                 String name) {
        return client.post("FolderUpdate", WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderUpdate")
                .child("SyncKey", key).child("ServerId", id).child("ParentId", parent).child("DisplayName", name)
                .build());
    }

    private static EasTestClient.Response delete(EasTestClient client, String key, String id) {
        return client.post("FolderDelete", WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderDelete")
                .child("SyncKey", key).child("ServerId", id).build());
    }

    private static String idOf(EasTestClient.Response sync, String name) {
        for (WbxmlElement add : sync.body().child("Changes").children("Add")) {
            if (add.childText("DisplayName").equals(name)) {
                return add.childText("ServerId");
            }
        }
        throw new AssertionError("no folder " + name);
    }

    @Test
    void initialSyncListsTheDemoFoldersWithTypes() {
        EasTestClient client = provisioned("demo", "fs-initial");
        EasTestClient.Response response = folderSync(client, "0");
        assertThat(response.text("Status")).isEqualTo("1");
        assertThat(response.text("SyncKey")).isEqualTo("1");
        WbxmlElement changes = response.body().child("Changes");
        List<WbxmlElement> adds = changes.children("Add");
        assertThat(changes.childText("Count")).isEqualTo(Integer.toString(adds.size()));
        Map<String, String> types = new java.util.HashMap<>();
        adds.forEach(add -> types.put(add.childText("DisplayName"), add.childText("Type")));
        assertThat(types).containsEntry("Inbox", "2").containsEntry("Drafts", "3").containsEntry("Deleted Items", "4")
                .containsEntry("Sent Items", "5").containsEntry("Outbox", "6").containsEntry("Calendar", "8")
                .containsEntry("Contacts", "9").containsEntry("Tasks", "7").containsEntry("Notes", "10");
        adds.forEach(add -> assertThat(add.childText("ParentId")).isNotNull());

        EasTestClient.Response again = folderSync(client, "1");
        assertThat(again.text("Status")).isEqualTo("1");
        assertThat(again.text("SyncKey")).isEqualTo("1");
        assertThat(again.body().child("Changes").childText("Count")).isEqualTo("0");
    }

    @Test
    void aRetriedFolderSyncGetsIdenticalBytes() {
        EasTestClient client = provisioned("alice", "fs-retry");
        EasTestClient.Response first = folderSync(client, "0");
        server.gateway().services().mailStore().createFolder("alice", Folder.ROOT, "Elsewhere",
                FolderType.USER_MAIL).block(Duration.ofSeconds(5));
        EasTestClient.Response changed = folderSync(client, "1");
        assertThat(changed.text("SyncKey")).isEqualTo("2");
        assertThat(changed.body().child("Changes").children("Add")).hasSize(1);
        EasTestClient.Response retried = folderSync(client, "1");
        assertThat(retried.bytes()).isEqualTo(changed.bytes());
        assertThat(first.status()).isEqualTo(200);
        assertThat(folderSync(client, "2").body().child("Changes").childText("Count")).isEqualTo("0");
    }

    @Test
    void badKeysGetStatus9() {
        EasTestClient client = provisioned("demo", "fs-badkey");
        assertThat(folderSync(client, "7").text("Status")).isEqualTo("9");
        assertThat(folderSync(client, "x").text("Status")).isEqualTo("9");
        folderSync(client, "0");
        assertThat(folderSync(client, "5").text("Status")).isEqualTo("9");
        assertThat(create(client, "5", "0", "Nope", 12).text("Status")).isEqualTo("9");
        assertThat(client.post("FolderSync", WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderSync").build())
                .text("Status")).isEqualTo("10");
    }

    @Test
    void createdFolderIsNotEchoedButOtherChangesAre() {
        EasTestClient client = provisioned("bob", "fc-1");
        EasTestClient.Response initial = folderSync(client, "0");
        String inbox = idOf(initial, "Inbox");
        EasTestClient.Response created = create(client, "1", inbox, "Receipts", 12);
        assertThat(created.text("Status")).isEqualTo("1");
        assertThat(created.text("SyncKey")).isEqualTo("2");
        String receipts = created.text("ServerId");
        assertThat(server.gateway().services().mailStore().folders("bob").map(Folder::id).collectList()
                .block(Duration.ofSeconds(5))).contains(receipts);

        EasTestClient.Response next = folderSync(client, "2");
        assertThat(next.text("Status")).isEqualTo("1");
        assertThat(next.body().child("Changes").childText("Count")).isEqualTo("0");

        // another device's folder does show up
        EasTestClient other = provisioned("bob", "fc-2");
        folderSync(other, "0");
        assertThat(create(other, "1", "0", "Travel", 12).text("Status")).isEqualTo("1");
        EasTestClient.Response seen = folderSync(client, "2");
        assertThat(seen.body().child("Changes").children("Add")).extracting(a -> a.childText("DisplayName"))
                .containsExactly("Travel");

        assertThat(create(client, "3", inbox, "Receipts", 12).text("Status")).isEqualTo("2");
        assertThat(create(client, "3", "nope", "X", 12).text("Status")).isEqualTo("5");
        assertThat(create(client, "3", "0", "Bad type", 2).text("Status")).isEqualTo("10");
    }

    @Test
    void renameMoveAndDelete() {
        EasTestClient client = provisioned("demo", "fu-1");
        EasTestClient.Response initial = folderSync(client, "0");
        String inbox = idOf(initial, "Inbox");
        String created = create(client, "1", "0", "Old name", 12).text("ServerId");

        EasTestClient.Response renamed = update(client, "2", created, inbox, "New name");
        assertThat(renamed.text("Status")).isEqualTo("1");
        assertThat(renamed.text("SyncKey")).isEqualTo("3");
        Folder stored = server.gateway().services().mailStore().folders("demo")
                .filter(f -> f.id().equals(created)).blockFirst(Duration.ofSeconds(5));
        assertThat(stored.name()).isEqualTo("New name");
        assertThat(stored.parentId()).isEqualTo(inbox);
        assertThat(folderSync(client, "3").body().child("Changes").childText("Count")).isEqualTo("0");

        assertThat(update(client, "3", inbox, "0", "Renamed inbox").text("Status")).isEqualTo("2");
        assertThat(update(client, "3", "missing", "0", "X").text("Status")).isEqualTo("4");
        assertThat(update(client, "3", created, "missing", "X").text("Status")).isEqualTo("5");

        DeviceKey device = new DeviceKey("demo", "fu-1");
        server.gateway().services().stateStore().replaceCollection(device, created, null,
                new CollectionState("1", 0, Map.of(), "0", new byte[0], new byte[0])).block(Duration.ofSeconds(5));
        EasTestClient.Response deleted = delete(client, "3", created);
        assertThat(deleted.text("Status")).isEqualTo("1");
        assertThat(deleted.text("SyncKey")).isEqualTo("4");
        assertThat(server.gateway().services().stateStore().collection(device, created)
                .blockOptional(Duration.ofSeconds(5))).isEmpty();
        assertThat(folderSync(client, "4").body().child("Changes").childText("Count")).isEqualTo("0");

        assertThat(delete(client, "4", created).text("Status")).isEqualTo("4");
        assertThat(delete(client, "4", inbox).text("Status")).isEqualTo("3");
        assertThat(delete(client, "3", inbox).text("Status")).isEqualTo("9");
    }

    @Test
    void deletionsElsewhereAreReported() {
        EasTestClient client = provisioned("alice", "fd-2");
        EasTestClient.Response initial = folderSync(client, "0");
        String projects = idOf(initial, "Projects");
        server.gateway().services().mailStore().deleteFolder("alice", projects).block(Duration.ofSeconds(5));
        EasTestClient.Response next = folderSync(client, initial.text("SyncKey"));
        assertThat(next.body().child("Changes").children("Delete")).extracting(d -> d.childText("ServerId"))
                .containsExactly(projects);
    }
}
