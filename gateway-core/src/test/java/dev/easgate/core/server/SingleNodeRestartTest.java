package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single node on the demo backend, stopped and started again on the same data directory: the phone keeps its
 * policy key and its folder and sync keys (no Provision, no FolderSync from 0), while the reseeded mailbox is
 * compared whole against what the phone holds: items of the fresh mailbox come again as Changes, an item the phone
 * holds that the fresh mailbox lacks is deleted, nothing is added twice.
 */
class SingleNodeRestartTest {
    private static final String USER = "demo";
    private static final String DEVICE = "RESTARTPHONE";

    @TempDir
    Path data;

    /** What the phone holds after applying a Sync answer. */
    private record Phone(String syncKey, Set<String> items, List<String> adds, List<String> changes,
                         List<String> deletes) {
    }

    @Test
    void aRestartedDemoNodeKeepsThePhonesKeysAndComparesTheReseededMailboxWhole() {
        String policyKey;
        String folderKey;
        String inbox;
        Phone phone;
        String deliveredBeforeRestart;
        try (GatewayTestServer first = GatewayTestServer.start(Map.of("data.dir", data.toString()))) {
            EasTestClient client = first.provisioned(USER, DEVICE);
            policyKey = client.policyKey();
            Response folders = client.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                    .child("SyncKey", "0").build());
            assertThat(folders.text("Status")).isEqualTo("1");
            folderKey = folders.text("SyncKey");
            inbox = first.folderId(USER, FolderType.INBOX);
            phone = syncAll(client, inbox, new Phone("0", Set.of(), List.of(), List.of(), List.of()));
            deliveredBeforeRestart = first.gateway().services().mailStore().add(USER, inbox, email("before"))
                    .block().id();
            phone = syncAll(client, inbox, phone);
            assertThat(phone.items()).contains(deliveredBeforeRestart)
                    .hasSize(first.items(USER, FolderType.INBOX).size());
        }

        try (GatewayTestServer second = GatewayTestServer.start(Map.of("data.dir", data.toString()))) {
            EasTestClient client = second.client(USER, DEVICE).policyKey(policyKey);
            Response folders = client.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                    .child("SyncKey", folderKey).build());
            assertThat(folders.status()).isEqualTo(200);
            assertThat(folders.text("Status")).isEqualTo("1"); // neither 142 (provision) nor 9 (bad key)
            assertThat(folders.body().child("Changes").childText("Count")).isEqualTo("0");

            Phone after = syncAll(client, inbox, phone);

            Set<String> fresh = new HashSet<>();
            for (ItemVersion version : second.gateway().services().mailStore().changesSince(USER, inbox, 0)
                    .block().changed()) {
                fresh.add(version.id());
            }
            assertThat(fresh).doesNotContain(deliveredBeforeRestart); // the reseeded Inbox has one item less
            assertThat(after.items()).isEqualTo(fresh);
            assertThat(after.deletes()).containsExactly(deliveredBeforeRestart);
            assertThat(after.adds()).isEmpty();
            assertThat(after.changes()).containsExactlyInAnyOrderElementsOf(fresh);
        }
    }

    /** Syncs the collection until nothing is left (key 0 first when the phone has none), applying every command. */
    private static Phone syncAll(EasTestClient client, String collectionId, Phone phone) {
        String key = phone.syncKey();
        Set<String> items = new HashSet<>(phone.items());
        List<String> adds = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        if (key.equals("0")) {
            WbxmlElement first = collection(client.post("Sync", sync("0", collectionId)));
            key = first.childText("SyncKey");
        }
        for (int round = 0; round < 20; round++) {
            Response response = client.post("Sync", sync(key, collectionId));
            assertThat(response.status()).isEqualTo(200);
            if (response.body() == null) {
                break; // nothing changed: an empty answer
            }
            WbxmlElement collection = collection(response);
            assertThat(collection.childText("Status")).isEqualTo("1"); // never 3 (invalid key)
            key = collection.childText("SyncKey");
            WbxmlElement commands = collection.child("Commands");
            if (commands != null) {
                for (WbxmlElement add : commands.children("Add")) {
                    assertThat(items.add(add.childText("ServerId"))).as("added twice").isTrue();
                    adds.add(add.childText("ServerId"));
                }
                for (WbxmlElement change : commands.children("Change")) {
                    assertThat(items).contains(change.childText("ServerId"));
                    changes.add(change.childText("ServerId"));
                }
                for (WbxmlElement delete : commands.children("Delete")) {
                    assertThat(items.remove(delete.childText("ServerId"))).isTrue();
                    deletes.add(delete.childText("ServerId"));
                }
            }
            if (collection.child("MoreAvailable") == null) {
                break;
            }
        }
        return new Phone(key, items, adds, changes, deletes);
    }

    private static WbxmlElement sync(String key, String collectionId) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId);
            if (!key.equals("0")) {
                c.child("GetChanges", "1").child("WindowSize", 100);
            }
        })).build();
    }

    private static WbxmlElement collection(Response sync) {
        return sync.body().child("Collections").child("Collection");
    }

    private static ItemContent.Email email(String subject) {
        return new ItemContent.Email(("From: Test <test@example.com>\r\nTo: demo@example.com\r\nSubject: "
                + subject + "\r\nMessage-ID: <" + subject + "@example.com>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=US-ASCII\r\n\r\nBody.\r\n").getBytes(StandardCharsets.US_ASCII),
                EmailFlags.UNREAD);
    }
}
