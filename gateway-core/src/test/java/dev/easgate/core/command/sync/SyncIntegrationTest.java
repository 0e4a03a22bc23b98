package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sync over real HTTP against the in-memory store. */
class SyncIntegrationTest {
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

    static EasTestClient provisioned(String user, String deviceId) {
        return server.provisioned(user, deviceId);
    }

    static Folder folder(String user, FolderType type) {
        return store.folders(user).filter(f -> f.type() == type).blockFirst();
    }

    static Folder newMailFolder(String user, String name, int emails) {
        Folder folder = store.createFolder(user, Folder.ROOT, name, FolderType.USER_MAIL).block();
        for (int i = 0; i < emails; i++) {
            store.add(user, folder.id(), email("Message " + i, "Body of message " + i)).block();
        }
        return folder;
    }

    static ItemContent.Email email(String subject, String body) {
        String mime = "From: \"Sender\" <sender@example.com>\r\nTo: \"Me\" <me@example.com>\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.hashCode() + "@example.com>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + body + "\r\n";
        return new ItemContent.Email(mime.getBytes(StandardCharsets.UTF_8), EmailFlags.UNREAD);
    }

    static WbxmlElement sync(String key, String collectionId, Consumer<WbxmlElement.Builder> extra) {
        return WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId);
            extra.accept(c);
        })).build();
    }

    static EasTestClient.Response post(EasTestClient client, WbxmlElement body) {
        EasTestClient.Response response = client.post("Sync", body);
        assertThat(response.status()).isEqualTo(200);
        return response;
    }

    static WbxmlElement collection(EasTestClient.Response response) {
        return response.body().child("Collections").child("Collection");
    }

    static List<String> ids(WbxmlElement collection, String command) {
        List<String> ids = new ArrayList<>();
        WbxmlElement commands = collection.child("Commands");
        if (commands != null) {
            for (WbxmlElement c : commands.children(command)) {
                ids.add(c.childText("ServerId"));
            }
        }
        return ids;
    }

    /** Sync 0 then the first key; returns the key the device holds. */
    static String prime(EasTestClient client, String collectionId) {
        WbxmlElement first = collection(post(client, sync("0", collectionId, c -> { })));
        assertThat(first.childText("SyncKey")).isEqualTo("1");
        assertThat(first.childText("Status")).isEqualTo("1");
        assertThat(first.child("Commands")).isNull();
        return "1";
    }

    @Test
    void pagesTwelveEmailsByFiveWithMoreAvailableThenNothing() {
        Folder folder = newMailFolder("alice", "paging", 12);
        EasTestClient client = provisioned("alice", "sync-paging");
        String key = prime(client, folder.id());
        Set<String> received = new HashSet<>();
        int pages = 0;
        while (true) {
            WbxmlElement c = collection(post(client, sync(key, folder.id(), x -> x.child("WindowSize", 5)
                    .child("Options", o -> o.child("AirSyncBase:BodyPreference", b -> b.child("Type", 1))))));
            assertThat(c.childText("Status")).isEqualTo("1");
            List<String> adds = ids(c, "Add");
            assertThat(adds.size()).isLessThanOrEqualTo(5);
            received.addAll(adds);
            key = c.childText("SyncKey");
            pages++;
            if (c.child("MoreAvailable") == null) {
                break;
            }
        }
        assertThat(pages).isEqualTo(3);
        assertThat(received).hasSize(12);
        // nothing changed: the empty response (MS-ASCMD 2.2.1.21.2)
        EasTestClient.Response idle = post(client, sync(key, folder.id(), x -> { }));
        assertThat(idle.bytes()).isEmpty();
        // and the empty request reuses the cached one
        EasTestClient.Response empty = client.post("Sync", null);
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.bytes()).isEmpty();
        // a new message shows up as one Add
        Item added = store.add("alice", folder.id(), email("Late", "late body")).block();
        WbxmlElement c = collection(post(client, sync(key, folder.id(), x -> { })));
        assertThat(ids(c, "Add")).containsExactly(added.id());
    }

    @Test
    void contactsAndCalendarCollectionsSync() {
        EasTestClient client = provisioned("bob", "sync-pim");
        for (FolderType type : List.of(FolderType.CONTACTS, FolderType.CALENDAR)) {
            Folder folder = folder("bob", type);
            String key = prime(client, folder.id());
            WbxmlElement c = collection(post(client, sync(key, folder.id(), x -> x.child("WindowSize", 100))));
            assertThat(c.childText("Status")).isEqualTo("1");
            List<WbxmlElement> adds = c.child("Commands").children("Add");
            assertThat(adds).isNotEmpty();
            assertThat(adds.get(0).child("ApplicationData").children()).isNotEmpty();
        }
    }

    @Test
    void clientAddGetsServerIdAndIsNotEchoed() {
        EasTestClient client = provisioned("alice", "sync-add");
        Folder contacts = folder("alice", FolderType.CONTACTS);
        String key = prime(client, contacts.id());
        // take everything first
        WbxmlElement c = collection(post(client, sync(key, contacts.id(), x -> x.child("WindowSize", 500))));
        key = c.childText("SyncKey");
        int before = count("alice", contacts.id());
        WbxmlElement add = collection(post(client, sync(key, contacts.id(), x -> x.child("Commands", cmd ->
                cmd.child("Add", a -> a.child("ClientId", "c-1").child("ApplicationData", d -> d
                        .child("Contacts:FileAs", "Tester, Tina").child("Contacts:FirstName", "Tina")))))));
        WbxmlElement response = add.child("Responses").child("Add");
        assertThat(response.childText("ClientId")).isEqualTo("c-1");
        assertThat(response.childText("Status")).isEqualTo("1");
        String serverId = response.childText("ServerId");
        assertThat(store.item("alice", contacts.id(), serverId).block()).isNotNull();
        assertThat(ids(add, "Add")).doesNotContain(serverId);
        assertThat(count("alice", contacts.id())).isEqualTo(before + 1);
        EasTestClient.Response next = post(client, sync(add.childText("SyncKey"), contacts.id(), x -> { }));
        assertThat(next.bytes()).isEmpty();
    }

    @Test
    void retriedRequestReplaysTheSameBytesAndAddsNothingTwice() {
        EasTestClient client = provisioned("alice", "sync-retry");
        Folder contacts = folder("alice", FolderType.CONTACTS);
        String key = prime(client, contacts.id());
        key = collection(post(client, sync(key, contacts.id(), x -> x.child("WindowSize", 500))))
                .childText("SyncKey");
        String held = key;
        WbxmlElement request = sync(held, contacts.id(), x -> x.child("Commands", cmd ->
                cmd.child("Add", a -> a.child("ClientId", "retry-1").child("ApplicationData", d -> d
                        .child("Contacts:FileAs", "Retry, Ray")))));
        int before = count("alice", contacts.id());
        EasTestClient.Response first = post(client, request);
        EasTestClient.Response again = post(client, request);
        assertThat(again.bytes()).isEqualTo(first.bytes());
        assertThat(count("alice", contacts.id())).isEqualTo(before + 1);
        // the key before that is no longer valid: status 3
        WbxmlElement stale = collection(post(client, sync("1", contacts.id(), x -> { })));
        assertThat(stale.childText("Status")).isEqualTo("3");
    }

    @Test
    void invalidKeyIsStatus3AndUnknownCollectionIs12() {
        EasTestClient client = provisioned("alice", "sync-invalid");
        Folder contacts = folder("alice", FolderType.CONTACTS);
        prime(client, contacts.id());
        assertThat(collection(post(client, sync("77", contacts.id(), x -> { }))).childText("Status"))
                .isEqualTo("3");
        assertThat(collection(post(client, sync("1", "no-such-folder", x -> { }))).childText("Status"))
                .isEqualTo("12");
    }

    @Test
    void readFlagChangeAndDeleteReachTheStore() {
        Folder folder = newMailFolder("alice", "changes", 3);
        Folder deleted = folder("alice", FolderType.DELETED_ITEMS);
        int deletedBefore = count("alice", deleted.id());
        EasTestClient client = provisioned("alice", "sync-change");
        String key = prime(client, folder.id());
        WbxmlElement c = collection(post(client, sync(key, folder.id(), x -> { })));
        List<String> ids = ids(c, "Add");
        assertThat(ids).hasSize(3);
        String read = ids.get(0);
        String gone = ids.get(1);
        WbxmlElement changed = collection(post(client, sync(c.childText("SyncKey"), folder.id(), x -> x
                .child("Commands", cmd -> cmd
                        .child("Change", ch -> ch.child("ServerId", read)
                                .child("ApplicationData", d -> d.child("Email:Read", "1")))
                        .child("Delete", d -> d.child("ServerId", gone))))));
        assertThat(changed.childText("Status")).isEqualTo("1");
        assertThat(changed.child("Commands")).isNull(); // nothing echoed
        Item item = store.item("alice", folder.id(), read).block();
        assertThat(((ItemContent.Email) item.content()).flags().read()).isTrue();
        assertThat(store.item("alice", folder.id(), gone).block()).isNull();
        // DeletesAsMoves defaults to true: the message went to Deleted Items
        assertThat(count("alice", deleted.id())).isEqualTo(deletedBefore + 1);
        // a server-side change is sent as a Change
        store.change("alice", folder.id(), ids.get(2), ((ItemContent.Email) store.item("alice", folder.id(),
                ids.get(2)).block().content()).withFlags(EmailFlags.UNREAD.withFlagStatus(2))).block();
        WbxmlElement next = collection(post(client, sync(changed.childText("SyncKey"), folder.id(), x -> { })));
        assertThat(ids(next, "Change")).containsExactly(ids.get(2));
        // Fetch of an item
        WbxmlElement fetched = collection(post(client, sync(next.childText("SyncKey"), folder.id(), x -> x
                .child("Commands", cmd -> cmd.child("Fetch", f -> f.child("ServerId", read))))));
        WbxmlElement fetch = fetched.child("Responses").child("Fetch");
        assertThat(fetch.childText("Status")).isEqualTo("1");
        assertThat(fetch.child("ApplicationData").childText("Email:Subject")).isEqualTo("Message 0");
    }

    @Test
    void waitOutOfRangeIsStatus14WithLimitAndBothTimersStatus4() {
        EasTestClient client = provisioned("alice", "sync-wait");
        Folder contacts = folder("alice", FolderType.CONTACTS);
        prime(client, contacts.id());
        WbxmlElement tooLong = WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                .child("Collections", cs -> cs.child("Collection", c -> c.child("SyncKey", "1")
                        .child("CollectionId", contacts.id())))
                .child("HeartbeatInterval", 100000).build();
        EasTestClient.Response response = post(client, tooLong);
        assertThat(response.text("Status")).isEqualTo("14");
        assertThat(response.text("Limit")).isNotNull();
        WbxmlElement both = WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                .child("Collections", cs -> cs.child("Collection", c -> c.child("SyncKey", "1")
                        .child("CollectionId", contacts.id())))
                .child("Wait", 5).child("HeartbeatInterval", 300).build();
        assertThat(post(client, both).text("Status")).isEqualTo("4");
    }

    @Test
    void emptyRequestWithoutCacheIsStatus13() {
        EasTestClient client = provisioned("alice", "sync-nocache");
        assertThat(client.post("Sync", null).text("Status")).isEqualTo("13");
    }

    @Test
    void lastSyncIsRecorded() {
        EasTestClient client = provisioned("alice", "sync-last");
        prime(client, folder("alice", FolderType.CONTACTS).id());
        assertThat(server.gateway().services().stateStore().device(new DeviceKey("alice", "sync-last")).block()
                .lastSync()).isNotNull();
    }

    @Test
    void protocol25ClientGetsClassEchoAndTheLegacyBody() {
        Folder folder = newMailFolder("bob", "legacy", 1);
        EasTestClient client = provisioned("bob", "sync-25").protocolVersion("2.5");
        WbxmlElement first = collection(post(client, sync("0", folder.id(), x -> x.child("Class", "Email"))));
        assertThat(first.childText("Class")).isEqualTo("Email");
        WbxmlElement c = collection(post(client, sync("1", folder.id(), x -> x.child("Class", "Email")
                .child("Options", o -> o.child("Truncation", 8)))));
        WbxmlElement data = c.child("Commands").child("Add").child("ApplicationData");
        assertThat(data.childText("Email:Body")).startsWith("Body of message 0");
        assertThat(data.child("AirSyncBase:Body")).isNull();
    }

    static int count(String user, String folderId) {
        return store.changesSince(user, folderId, 0).block().changed().size();
    }
}
