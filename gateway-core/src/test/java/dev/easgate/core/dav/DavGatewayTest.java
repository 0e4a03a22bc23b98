package dev.easgate.core.dav;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.dav.RadicaleProcess;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.http.HttpResponse;
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
 * A gateway whose calendars, contacts and tasks live on a real Radicale (started by the test): the phone sees the
 * DAV collections, a contact it adds appears in Radicale as a vCard, and a vCard written into Radicale by another
 * client reaches the phone.
 */
class DavGatewayTest {
    private static RadicaleProcess radicale;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() throws Exception {
        radicale = RadicaleProcess.start();
        radicale.createDefaults("demo");
        server = GatewayTestServer.start(Map.of("dav.url", radicale.url().toString(),
                "dav.username", RadicaleProcess.SERVICE_USER, "dav.password", RadicaleProcess.SERVICE_PASSWORD,
                "dav.watch-interval", "0"));
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

    /** The vCards in demo's address book on Radicale. */
    private static List<String> vcards() throws Exception {
        HttpResponse<String> listing = radicale.request("PROPFIND", "demo/contacts/", "application/xml",
                "<?xml version=\"1.0\"?><d:propfind xmlns:d=\"DAV:\"><d:prop><d:getetag/></d:prop></d:propfind>",
                "Depth", "1");
        List<String> cards = new ArrayList<>();
        Matcher href = Pattern.compile("<[^>]*href>([^<]+\\.vcf)</[^>]*href>").matcher(listing.body());
        while (href.find()) {
            cards.add(radicale.request("GET", href.group(1).replaceFirst("^/", ""), null, null).body());
        }
        return cards;
    }

    @Test
    void contactsTravelBothWaysBetweenThePhoneAndTheDavServer() throws Exception {
        EasTestClient phone = server.client("demo", "DAVPHONE");
        phone.provision();
        WbxmlElement folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        String contacts = null;
        for (WbxmlElement add : folders.child("Changes").children("Add")) {
            if (add.childText("Type").equals("9")) {
                contacts = add.childText("ServerId");
            }
        }
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
        assertThat(vcards()).anySatisfy(card -> assertThat(card).contains("BEGIN:VCARD").contains("Tina")
                .contains("tina@example.org"));

        HttpResponse<String> put = radicale.request("PUT", "demo/contacts/from-another-client.vcf", "text/vcard",
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
        assertThat(radicale.request("PUT", "demo/calendar/resolve-busy.ics", "text/calendar",
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//easgate test//EN\r\nBEGIN:VEVENT\r\n"
                        + "UID:resolve-busy\r\nDTSTAMP:20260101T000000Z\r\n"
                        + "DTSTART:" + ical.format(day.plus(10, ChronoUnit.HOURS)) + "\r\n"
                        + "DTEND:" + ical.format(day.plus(11, ChronoUnit.HOURS)) + "\r\n"
                        + "SUMMARY:Busy hour\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").statusCode()).isBetween(200, 299);
        assertThat(radicale.request("PUT", "demo/contacts/resolve-rita.vcf", "text/vcard",
                "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:resolve-rita\r\nFN:Rita Remote\r\nN:Remote;Rita;;;\r\n"
                        + "EMAIL;TYPE=INTERNET:rita@example.org\r\nEND:VCARD\r\n").statusCode()).isBetween(200, 299);

        EasTestClient phone = server.client("demo", "DAVRESOLVE");
        phone.provision();
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
}
