package dev.easgate.core.dav;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.dav.RadicaleProcess;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, "nothing sent twice", for calendars and contacts on a real Radicale (per-user logins): a phone synced to
 * the end gets nothing again from a node that forgot what it knew of the DAV collections, whether the node was
 * stopped and started again on the same data directory or forgot the user after {@code dav.cache-idle-seconds}. The
 * node answers the phone's watermark with a compare of the whole folder, and every item whose ETag did not change
 * has the version the phone holds; a change made on the server meanwhile comes exactly once.
 */
class DavRestartGatewayTest {
    private static final String PASSWORD = "restart";
    private static final AtomicInteger USERS = new AtomicInteger();
    private static RadicaleProcess radicale;

    @TempDir
    Path data;

    @BeforeAll
    static void start() throws Exception {
        radicale = RadicaleProcess.startPerUser();
    }

    @AfterAll
    static void stop() {
        if (radicale != null) {
            radicale.close();
        }
    }

    /** A user with the default collections on Radicale, two contacts and two events written by another client. */
    private static String newUser() throws Exception {
        String user = "restart" + USERS.incrementAndGet();
        radicale.addUser(user, PASSWORD);
        radicale.createDefaults(user, user, PASSWORD);
        put(user, "contacts/ada.vcf", card("ada", "Ada Lovelace"));
        put(user, "contacts/grace.vcf", card("grace", "Grace Hopper"));
        put(user, "calendar/review.ics", event("review", "Review", "20301201T100000Z"));
        // long enough for Radicale to fold it: calendar-data comes back from a multiget with bare LFs
        put(user, "calendar/planning.ics", event("planning", "Planning " + "of the next quarter ".repeat(8),
                "20301202T100000Z"));
        return user;
    }

    private static void put(String user, String path, String text) throws Exception {
        HttpResponse<String> put = radicale.requestAs(user, PASSWORD, "PUT", user + "/" + path,
                path.endsWith(".vcf") ? "text/vcard" : "text/calendar", text);
        assertThat(put.statusCode()).as(put.body()).isBetween(200, 299);
    }

    private static String card(String uid, String name) {
        String[] parts = name.split(" ");
        return "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + uid + "\r\nFN:" + name + "\r\nN:" + parts[1] + ";" + parts[0]
                + ";;;\r\nEMAIL;TYPE=INTERNET:" + uid + "@example.org\r\nEND:VCARD\r\n";
    }

    private static String event(String uid, String summary, String start) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//easgate test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid
                + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\nSUMMARY:" + summary
                + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    }

    private GatewayTestServer node(String... more) {
        Map<String, String> config = new HashMap<>(Map.of("memory.password", PASSWORD, "heartbeat.min", "1",
                "dav.url", radicale.url().toString(), "dav.watch-interval", "0", "data.dir", data.toString()));
        for (int i = 0; i + 1 < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return GatewayTestServer.start(config);
    }

    /** What the phone holds of one folder: its key, and the ServerIds of the commands of its last Syncs. */
    private record Held(String key, List<String> adds, List<String> changes, List<String> deletes) {
    }

    /** The folders of a FolderSync from key 0: contacts (type 9) and calendar (type 8). */
    private static String[] folders(EasTestClient phone) {
        WbxmlElement answer = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        String contacts = null;
        String calendar = null;
        for (WbxmlElement add : answer.child("Changes").children("Add")) {
            if (add.childText("Type").equals("9")) {
                contacts = add.childText("ServerId");
            } else if (add.childText("Type").equals("8")) {
                calendar = add.childText("ServerId");
            }
        }
        assertThat(contacts).isNotNull();
        assertThat(calendar).isNotNull();
        return new String[] {contacts, calendar};
    }

    /**
     * One Sync of a folder with GetChanges and the commands, if any; the answered Collection, or null for the
     * empty response (MS-ASCMD 2.2.1.21: nothing to report).
     */
    private static WbxmlElement sync(EasTestClient phone, String key, String folder,
                                     Consumer<WbxmlElement.Builder> commands) {
        EasTestClient.Response response = phone.post("Sync", el(CodePage.AIR_SYNC, "Sync").child("Collections",
                cs -> cs.child("Collection", c -> {
                    c.child("SyncKey", key).child("CollectionId", folder);
                    if (!key.equals("0")) {
                        c.child("GetChanges", "1").child("WindowSize", 100);
                    }
                    if (commands != null) {
                        c.child("Commands", commands);
                    }
                })).build());
        assertThat(response.status()).isEqualTo(200);
        return response.body() == null ? null : response.body().child("Collections").child("Collection");
    }

    /** Syncs until nothing more is available, from key 0 when the phone holds none. */
    private static Held syncToEnd(EasTestClient phone, String key, String folder) {
        if (key.equals("0")) {
            key = sync(phone, "0", folder, null).childText("SyncKey");
        }
        List<String> adds = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            WbxmlElement collection = sync(phone, key, folder, null);
            if (collection == null) {
                return new Held(key, adds, changes, deletes);
            }
            assertThat(collection.childText("Status")).isEqualTo("1");
            key = collection.childText("SyncKey");
            WbxmlElement commands = collection.child("Commands");
            if (commands != null) {
                commands.children("Add").forEach(c -> adds.add(c.childText("ServerId")));
                commands.children("Change").forEach(c -> changes.add(c.childText("ServerId")));
                commands.children("Delete").forEach(c -> deletes.add(c.childText("ServerId")));
            }
            if (collection.child("MoreAvailable") == null) {
                return new Held(key, adds, changes, deletes);
            }
        }
        throw new AssertionError("not synced to the end in 20 rounds");
    }

    /** A Sync carrying commands, every one answered with status 1; the new key and the ServerId of an Add. */
    private static String[] write(EasTestClient phone, String key, String folder,
                                  Consumer<WbxmlElement.Builder> commands) {
        WbxmlElement collection = sync(phone, key, folder, commands);
        assertThat(collection).isNotNull();
        assertThat(collection.childText("Status")).isEqualTo("1");
        String added = null;
        WbxmlElement responses = collection.child("Responses");
        if (responses != null) {
            for (WbxmlElement response : responses.children()) {
                assertThat(response.childText("Status")).as(response.toString()).isEqualTo("1");
                if (response.tag().name().equals("Add")) {
                    added = response.childText("ServerId");
                }
            }
        }
        return new String[] {collection.childText("SyncKey"), added};
    }

    /**
     * The phone's state of both folders after it synced them to the end on one node, with its own writes: a contact
     * and an event added, a contact of another client changed (each a new ETag the phone holds).
     */
    private static Held[] syncedWithOwnWrites(EasTestClient phone, String contacts, String calendar) {
        Held people = syncToEnd(phone, "0", contacts);
        Held events = syncToEnd(phone, "0", calendar);
        assertThat(people.adds()).hasSize(2);
        assertThat(events.adds()).hasSize(2);
        String ada = people.adds().stream().filter(id -> id.endsWith(":ada.vcf")).findFirst().orElseThrow();

        String[] written = write(phone, people.key(), contacts, c -> c
                .child("Add", a -> a.child("ClientId", "own-card").child("ApplicationData", d -> d
                        .child("Contacts:FileAs", "Somerville, Mary").child("Contacts:FirstName", "Mary")
                        .child("Contacts:LastName", "Somerville")))
                .child("Change", ch -> ch.child("ServerId", ada).child("ApplicationData", d -> d
                        .child("Contacts:FileAs", "King, Ada").child("Contacts:FirstName", "Ada")
                        .child("Contacts:LastName", "King").child("Contacts:JobTitle", "Analyst"))));
        people = syncToEnd(phone, written[0], contacts);
        assertThat(people.adds()).as("the phone's own writes are nothing new to it").isEmpty();
        assertThat(people.changes()).isEmpty();

        written = write(phone, events.key(), calendar, c -> c.child("Add", a -> a.child("ClientId", "own-event")
                .child("ApplicationData", d -> d.child("Calendar:Subject", "Written by the phone")
                        .child("Calendar:StartTime", "20301203T100000Z")
                        .child("Calendar:EndTime", "20301203T110000Z"))));
        events = syncToEnd(phone, written[0], calendar);
        assertThat(events.adds()).isEmpty();
        assertThat(events.changes()).isEmpty();
        return new Held[] {people, events};
    }

    private static void assertNothingToSend(EasTestClient phone, Held held, String folder) {
        assertThat(sync(phone, held.key(), folder, null)).as("the Sync of " + folder + " is the empty response")
                .isNull();
    }

    private static String ping(EasTestClient phone, String... folders) {
        EasTestClient.Response response = phone.post("Ping", el(CodePage.PING, "Ping").child("HeartbeatInterval", 2)
                .child("Folders", f -> {
                    for (String id : folders) {
                        f.child("Folder", x -> x.child("Id", id).child("Class", "Contacts"));
                    }
                }).build());
        assertThat(response.status()).isEqualTo(200);
        return response.text("Status");
    }

    private static long watermark(GatewayTestServer node, String user, String device, String folder) {
        return node.gateway().services().stateStore().collection(new DeviceKey(user, device), folder).block()
                .watermark();
    }

    @Test
    void aNodeStartedAgainSendsNothingForUnchangedContactsAndEventsAndAServerChangeOnce() throws Exception {
        String user = newUser();
        String device = "DAVRESTART";
        String policyKey;
        String[] ids;
        Held[] held;
        long before;
        try (GatewayTestServer first = node()) {
            EasTestClient phone = first.client(user, PASSWORD, device).protocolVersion("16.1");
            assertThat(phone.provision().text("Status")).isEqualTo("1");
            policyKey = phone.policyKey();
            ids = folders(phone);
            held = syncedWithOwnWrites(phone, ids[0], ids[1]);
            before = watermark(first, user, device, ids[0]);
        }

        try (GatewayTestServer second = node()) {
            EasTestClient phone = second.client(user, PASSWORD, device).protocolVersion("16.1").policyKey(policyKey);
            assertThat(ping(phone, ids[0], ids[1])).as("Ping: nothing for the phone on the new node").isEqualTo("1");
            assertNothingToSend(phone, held[0], ids[0]);
            assertNothingToSend(phone, held[1], ids[1]);
            // the new node did answer from a watermark of its own: the compare of the whole folder took place
            assertThat(watermark(second, user, device, ids[0])).isNotEqualTo(before);

            put(user, "contacts/grace.vcf", card("grace", "Grace Murray"));
            Held after = syncToEnd(phone, held[0].key(), ids[0]);
            assertThat(after.changes()).containsExactly(ids[0] + ":grace.vcf");
            assertThat(after.adds()).isEmpty();
            assertThat(after.deletes()).isEmpty();
            assertNothingToSend(phone, after, ids[0]);
            assertNothingToSend(phone, held[1], ids[1]);
        }
    }

    @Test
    void aUserTheNodeForgotAfterTheCacheIdleTimeGetsNothingAgain() throws Exception {
        String user = newUser();
        String device = "DAVEVICTED";
        try (GatewayTestServer node = node("dav.cache-idle-seconds", "1")) {
            EasTestClient phone = node.client(user, PASSWORD, device).protocolVersion("16.1");
            assertThat(phone.provision().text("Status")).isEqualTo("1");
            String[] ids = folders(phone);
            Held[] held = syncedWithOwnWrites(phone, ids[0], ids[1]);
            long before = watermark(node, user, device, ids[0]);

            Thread.sleep(2_500); // past dav.cache-idle-seconds: the node forgets the user's collections and ETags
            assertNothingToSend(phone, held[0], ids[0]);
            assertNothingToSend(phone, held[1], ids[1]);
            assertThat(watermark(node, user, device, ids[0])).as("answered from a watermark issued anew")
                    .isNotEqualTo(before);

            Thread.sleep(2_500);
            put(user, "calendar/review.ics", event("review", "Review, moved", "20301201T140000Z"));
            Held after = syncToEnd(phone, held[1].key(), ids[1]);
            assertThat(after.changes()).containsExactly(ids[1] + ":review.ics");
            assertThat(after.adds()).isEmpty();
            assertThat(after.deletes()).isEmpty();
            assertNothingToSend(phone, held[0], ids[0]);
        }
    }
}
