package dev.easgate.core.dav;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.easgate.backends.dav.RadicaleProcess;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway whose calendars, contacts and tasks live on a real Radicale (started by the test) with per-user
 * passwords, rights {@code owner_only} and no service account, as hosting providers run it: the gateway logs in to
 * Radicale as each user with the password their phone sent. The phone sees the DAV collections, a contact it adds
 * appears in Radicale as a vCard, a vCard written into Radicale by another client reaches the phone, and one user
 * never sees another's. A user whose DAV password differs from their gateway password gets each command's retry
 * status (never a hierarchy without their calendars) and the log one line, however often the phone asks.
 */
class DavGatewayTest {
    /** demo and alice have the gateway's demo password on Radicale too; bob has another one there. */
    private static final String PASSWORD = "demo";
    private static RadicaleProcess radicale;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() throws Exception {
        radicale = RadicaleProcess.startPerUser("demo", PASSWORD, "alice", PASSWORD, "bob", "bobs-other-password");
        server = GatewayTestServer.start(Map.of("dav.url", radicale.url().toString(), "dav.watch-interval", "0"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        radicale.close();
    }

    private static WbxmlElement sync(String key, String collectionId, WbxmlElement commands) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId);
            if (!key.equals("0")) {
                c.child("GetChanges", "1");
            }
            if (commands != null) {
                c.child(commands);
            }
        })).build();
    }

    private static WbxmlElement collection(EasTestClient.Response response) {
        return response.body().child("Collections").child("Collection");
    }

    /** A request to Radicale as {@code user} with their password there: another client of theirs. */
    private static HttpResponse<String> asUser(String user, String method, String path, String contentType,
                                               String body, String... headers) throws Exception {
        return radicale.requestAs(user, PASSWORD, method, path, contentType, body, headers);
    }

    /** The vCards in a user's address book on Radicale. */
    private static List<String> vcards(String user) throws Exception {
        HttpResponse<String> listing = asUser(user, "PROPFIND", user + "/contacts/", "application/xml",
                "<?xml version=\"1.0\"?><d:propfind xmlns:d=\"DAV:\"><d:prop><d:getetag/></d:prop></d:propfind>",
                "Depth", "1");
        List<String> cards = new ArrayList<>();
        Matcher href = Pattern.compile("<[^>]*href>([^<]+\\.vcf)</[^>]*href>").matcher(listing.body());
        while (href.find()) {
            cards.add(asUser(user, "GET", href.group(1).replaceFirst("^/", ""), null, null).body());
        }
        return cards;
    }

    /** FolderSync from key 0; the ServerId of the first folder of {@code type}, or null. */
    private static String folderOfType(EasTestClient phone, String type) {
        WbxmlElement folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        assertThat(folders.childText("Status")).isEqualTo("1");
        for (WbxmlElement add : folders.child("Changes").children("Add")) {
            if (add.childText("Type").equals(type)) {
                return add.childText("ServerId");
            }
        }
        return null;
    }

    @Test
    void contactsTravelBothWaysBetweenThePhoneAndTheDavServer() throws Exception {
        EasTestClient phone = server.client("demo", "DAVPHONE");
        phone.provision();
        String contacts = folderOfType(phone, "9");
        assertThat(contacts).as("the DAV address book as the Contacts folder").isNotNull().startsWith("d");

        String key = collection(phone.post("Sync", sync("0", contacts, null))).childText("SyncKey");
        EasTestClient.Response empty = phone.post("Sync", sync(key, contacts, null));
        assertThat(empty.body()).as("an empty address book: the empty Sync response, the key stays").isNull();

        WbxmlElement add = el(CodePage.AIR_SYNC, "Commands").child("Add", a -> a
                .child("ClientId", "c1")
                .child("ApplicationData", d -> d
                        .child("Contacts:FileAs", "Tester, Tina")
                        .child("Contacts:FirstName", "Tina")
                        .child("Contacts:LastName", "Tester")
                        .child("Contacts:Email1Address", "tina@example.org"))).build();
        WbxmlElement added = collection(phone.post("Sync", sync(key, contacts, add)));
        assertThat(added.child("Responses").child("Add").childText("Status")).isEqualTo("1");
        key = added.childText("SyncKey");
        assertThat(vcards("demo")).anySatisfy(card -> assertThat(card).contains("BEGIN:VCARD").contains("Tina")
                .contains("tina@example.org"));

        HttpResponse<String> put = asUser("demo", "PUT", "demo/contacts/from-another-client.vcf", "text/vcard",
                "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:from-another-client\r\nFN:Otto Other\r\nN:Other;Otto;;;\r\n"
                        + "EMAIL;TYPE=INTERNET:otto@example.org\r\nEND:VCARD\r\n");
        assertThat(put.statusCode()).isBetween(200, 299);

        EasTestClient.Response next = phone.post("Sync", sync(key, contacts, null));
        WbxmlElement commands = collection(next).child("Commands");
        assertThat(commands).isNotNull();
        assertThat(commands.children("Add")).anySatisfy(item -> assertThat(item.child("ApplicationData")
                .childText("Contacts:Email1Address")).contains("otto@example.org"));
    }

    @Test
    void resolveRecipientsReadsFreeBusyAndContactsFromTheDavServer() throws Exception {
        Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(3, ChronoUnit.DAYS);
        DateTimeFormatter ical = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
        // written straight into Radicale by another client: a busy hour 10:00-11:00 UTC, and a contact
        EasTestClient phone = server.client("demo", "DAVRESOLVE");
        phone.provision();
        folderOfType(phone, "8"); // the gateway has logged in as demo: their default collections exist
        assertThat(asUser("demo", "PUT", "demo/calendar/resolve-busy.ics", "text/calendar",
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//easgate test//EN\r\nBEGIN:VEVENT\r\n"
                        + "UID:resolve-busy\r\nDTSTAMP:20260101T000000Z\r\n"
                        + "DTSTART:" + ical.format(day.plus(10, ChronoUnit.HOURS)) + "\r\n"
                        + "DTEND:" + ical.format(day.plus(11, ChronoUnit.HOURS)) + "\r\n"
                        + "SUMMARY:Busy hour\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").statusCode()).isBetween(200, 299);
        assertThat(asUser("demo", "PUT", "demo/contacts/resolve-rita.vcf", "text/vcard",
                "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:resolve-rita\r\nFN:Rita Remote\r\nN:Remote;Rita;;;\r\n"
                        + "EMAIL;TYPE=INTERNET:rita@example.org\r\nEND:VCARD\r\n").statusCode()).isBetween(200, 299);

        WbxmlElement answer = phone.post("ResolveRecipients", el(CodePage.RESOLVE_RECIPIENTS, "ResolveRecipients")
                .child("To", "demo@example.com")
                .child("To", "Remote")
                .child("Options", o -> o.child("Availability", a -> a
                        .child("StartTime", day.toString())
                        .child("EndTime", day.plus(1, ChronoUnit.DAYS).toString())))
                .build()).body();
        assertThat(answer.childText("Status")).isEqualTo("1");
        List<WbxmlElement> responses = answer.children("Response");
        WbxmlElement availability = responses.get(0).child("Recipient").child("Availability");
        assertThat(availability.childText("Status")).isEqualTo("1");
        String merged = availability.childText("MergedFreeBusy");
        assertThat(merged).hasSize(48);
        assertThat(merged.substring(20, 22)).as("10:00-11:00 busy, from the DAV calendar").isEqualTo("22");
        assertThat(merged.substring(0, 20) + merged.substring(22)).matches("0+");
        WbxmlElement rita = responses.get(1);
        assertThat(rita.childText("Status")).isEqualTo("1");
        assertThat(rita.child("Recipient").childText("Type")).as("a contact of the user's DAV address book")
                .isEqualTo("2");
        assertThat(rita.child("Recipient").childText("EmailAddress")).isEqualTo("rita@example.org");
    }

    @Test
    void twoUsersEachSeeOnlyTheirOwnContacts() throws Exception {
        EasTestClient alice = server.client("alice", "DAVTWO1");
        EasTestClient demo = server.client("demo", "DAVTWO2");
        alice.provision();
        demo.provision();
        String aliceContacts = folderOfType(alice, "9");
        String demoContacts = folderOfType(demo, "9");
        assertThat(demoContacts).isNotNull().isNotEqualTo(aliceContacts);
        String aliceKey = collection(alice.post("Sync", sync("0", aliceContacts, null))).childText("SyncKey");
        String demoKey = collection(demo.post("Sync", sync("0", demoContacts, null))).childText("SyncKey");
        alice.post("Sync", sync(aliceKey, aliceContacts, null));

        WbxmlElement add = el(CodePage.AIR_SYNC, "Commands").child("Add", a -> a.child("ClientId", "p1")
                .child("ApplicationData", d -> d.child("Contacts:FileAs", "Private, Pia")
                        .child("Contacts:Email1Address", "pia.private@example.org"))).build();
        WbxmlElement added = collection(alice.post("Sync", sync(aliceKey, aliceContacts, add)));
        assertThat(added.child("Responses").child("Add").childText("Status")).isEqualTo("1");
        assertThat(vcards("alice")).anySatisfy(card -> assertThat(card).contains("pia.private@example.org"));
        assertThat(vcards("demo")).noneSatisfy(card -> assertThat(card).contains("pia.private@example.org"));

        EasTestClient.Response demoSync = demo.post("Sync", sync(demoKey, demoContacts, null));
        assertThat(demoSync.bytes() == null ? "" : new String(demoSync.bytes(), StandardCharsets.ISO_8859_1))
                .doesNotContain("pia.private");
        EasTestClient.Response foreign = demo.post("Sync", sync(demoKey, aliceContacts, null));
        assertThat(collection(foreign).childText("Status")).as("alice's address book is no folder of demo's")
                .isNotEqualTo("1");
        assertThat(asUser("demo", "PROPFIND", "alice/contacts/", "application/xml", null, "Depth", "1").statusCode())
                .as("owner_only: Radicale itself keeps demo out of alice's collections").isEqualTo(403);
    }

    private static String vcard(String uid, String email) {
        return "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + uid + "\r\nFN:" + uid + "\r\nN:" + uid + ";;;;\r\n"
                + "EMAIL;TYPE=INTERNET:" + email + "\r\nEND:VCARD\r\n";
    }

    private static String wire(EasTestClient.Response response) {
        return response.bytes() == null ? "" : new String(response.bytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void usersEvictedFromTheCacheRediscoverAndStillSeeOnlyTheirOwnItems() throws Exception {
        assertThat(asUser("demo", "PUT", "demo/contacts/evict-demo.vcf", "text/vcard",
                vcard("evict-demo", "only.demo@example.org")).statusCode()).isBetween(200, 299);
        // a node that keeps one user's DAV state (and password) at a time: every switch of user evicts the other
        try (GatewayTestServer small = GatewayTestServer.start(Map.of("dav.url", radicale.url().toString(),
                "dav.watch-interval", "0", "dav.cache-users", "1"))) {
            EasTestClient alice = small.client("alice", "DAVEVICT1");
            EasTestClient demo = small.client("demo", "DAVEVICT2");
            alice.provision();
            demo.provision();
            String aliceContacts = folderOfType(alice, "9");
            String key = collection(alice.post("Sync", sync("0", aliceContacts, null))).childText("SyncKey");
            EasTestClient.Response first = alice.post("Sync", sync(key, aliceContacts, null));
            String aliceKey = first.body() == null ? key : collection(first).childText("SyncKey");
            assertThat(wire(first)).doesNotContain("only.demo");

            String demoContacts = folderOfType(demo, "9"); // alice's state is evicted
            String demoKey = collection(demo.post("Sync", sync("0", demoContacts, null))).childText("SyncKey");
            assertThat(wire(demo.post("Sync", sync(demoKey, demoContacts, null)))).contains("only.demo@example.org");
            assertThat(asUser("alice", "PUT", "alice/contacts/evict-alice.vcf", "text/vcard",
                    vcard("evict-alice", "only.alice@example.org")).statusCode()).isBetween(200, 299);

            // demo's state is evicted now; alice's watermark is unknown to the node: it rediscovers and compares
            EasTestClient.Response after = alice.post("Sync", sync(aliceKey, aliceContacts, null));
            assertThat(collection(after).childText("Status")).isEqualTo("1");
            assertThat(wire(after)).contains("only.alice@example.org").doesNotContain("only.demo");
        }
    }

    @Test
    void aUserWhoseDavPasswordDiffersGetsRetryStatusesAndTheLogOneLine() throws Exception {
        EasTestClient bob = server.client("bob", "DAVBOB");
        assertThat(bob.provision().text("Status")).isEqualTo("1");
        try (LogCapture log = LogCapture.root()) {
            for (int round = 0; round < 3; round++) {
                EasTestClient.Response folders = bob.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                        .child("SyncKey", "0").build());
                assertThat(folders.status()).isEqualTo(200);
                // MS-ASCMD 2.2.3.177.5: 6, retry; never a hierarchy without the calendars (the phone would drop them)
                assertThat(folders.text("Status")).isEqualTo("6");
                assertThat(folders.body().child("Changes")).isNull();

                EasTestClient.Response sync = bob.post("Sync", sync("0", "d0123456789", null));
                assertThat(sync.status()).isEqualTo(200);
                assertThat(sync.text("Status")).as("Sync status 16, retry").isEqualTo("16");

                EasTestClient.Response ping = bob.post("Ping", el(CodePage.PING, "Ping")
                        .child("HeartbeatInterval", 300).child("Folders", f -> f.child("Folder", x -> x
                                .child("Id", "d0123456789").child("Class", "Contacts"))).build());
                assertThat(ping.text("Status")).as("Ping status 8, server error").isEqualTo("8");

                EasTestClient.Response estimate = bob.post("GetItemEstimate", el(CodePage.GET_ITEM_ESTIMATE,
                        "GetItemEstimate").child("Collections", cs -> cs.child("Collection", c -> c
                                .child("AirSync:SyncKey", "1").child("CollectionId", "d0123456789"))).build());
                assertThat(estimate.text("Status")).as("common status 111, retry later").isEqualTo("111");

                EasTestClient.Response move = bob.post("MoveItems", el(CodePage.MOVE, "MoveItems")
                        .child("Move", m -> m.child("SrcMsgId", "d0123456789:x.vcf").child("SrcFldId", "d0123456789")
                                .child("DstFldId", "d9876543210")).build());
                assertThat(move.body().child("Response").childText("Status")).as("MoveItems 7, retry")
                        .isEqualTo("7");

                EasTestClient.Response fetch = bob.post("ItemOperations", el(CodePage.ITEM_OPERATIONS,
                        "ItemOperations").child("Fetch", f -> f.child("Store", "Mailbox")
                                .child("AirSync:CollectionId", "d0123456789")
                                .child("AirSync:ServerId", "d0123456789:x.vcf")).build());
                assertThat(fetch.body().child("Response").child("Fetch").childText("Status"))
                        .as("ItemOperations 3, server error").isEqualTo("3");
            }
            List<String> warnings = log.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(e -> e.getFormattedMessage()).toList();
            assertThat(warnings).as("one line for eighteen requests").hasSize(1);
            assertThat(warnings.get(0)).contains(radicale.url().toString()).contains("user=bob")
                    .contains("refused the login");
            assertThat(log.lines()).noneMatch(line -> line.contains("500 for"));

            radicale.addUser("bob", PASSWORD); // the provider aligns bob's DAV password with his mail password
            EasTestClient.Response fixed = bob.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                    .child("SyncKey", "0").build());
            assertThat(fixed.text("Status")).isEqualTo("1");
            assertThat(fixed.body().child("Changes").children("Add")).anySatisfy(add -> assertThat(
                    add.childText("Type")).isEqualTo("8"));
            assertThat(log.lines()).filteredOn(line -> line.contains("accepts the login of user=bob again"))
                    .hasSize(1);
        }

        EasTestClient demo = server.client("demo", "DAVNOTBOB");
        demo.provision();
        assertThat(folderOfType(demo, "8")).as("other users are not affected").isNotNull();
    }
}
