package dev.easgate.core.command.meeting;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.dav.RadicaleProcess;
import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.imip.GlobalObjId;
import dev.easgate.backends.imip.Invitation;
import dev.easgate.backends.imip.InvitationReader;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.InvitationMail;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Meeting requests end to end on real servers: invitations in the shapes Outlook, Thunderbird and Google Calendar
 * send are delivered by LMTP to a Dovecot user, synced by the phone with Email:MeetingRequest, answered with
 * MeetingResponse; the event lands in the user's own Radicale calendar (per-user logins) at the invitation's real
 * UTC times with the user's PARTSTAT, and a 16.x SendResponse sends the iMIP REPLY through Dovecot's submission to
 * the organizer, another Dovecot user, whose Inbox is read back over IMAP.
 */
class MeetingDovecotRadicaleTest {
    private static final Instant START = Instant.parse("2026-06-15T08:00:00Z");
    private static final Instant END = Instant.parse("2026-06-15T09:00:00Z");
    private static DovecotProcess dovecot;
    private static RadicaleProcess radicale;
    private static GatewayTestServer server;
    private static String organizer;
    private static String attendee;

    @BeforeAll
    static void start() throws Exception {
        dovecot = DovecotProcess.start();
        organizer = dovecot.nextUser();
        attendee = dovecot.nextUser();
        radicale = RadicaleProcess.startPerUser(attendee, DovecotProcess.PASSWORD, organizer, DovecotProcess.PASSWORD);
        radicale.createDefaults(attendee, attendee, DovecotProcess.PASSWORD);
        radicale.createDefaults(organizer, organizer, DovecotProcess.PASSWORD);
        server = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "smtp.url", dovecot.submissionUrl(), "imap.domain", DovecotProcess.DOMAIN,
                "dav.url", radicale.url().toString(), "dav.watch-interval", "0"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, radicale, dovecot);
    }

    private static String address(String user) {
        return user + "@" + DovecotProcess.DOMAIN;
    }

    private static EasTestClient phone(String device, String version) {
        EasTestClient phone = new EasTestClient(server.uri(), attendee, DovecotProcess.PASSWORD, device)
                .protocolVersion(version);
        assertThat(phone.provision().status()).isEqualTo(200);
        return phone;
    }

    private static Map<String, String> folders(EasTestClient phone) {
        WbxmlElement answer = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        Map<String, String> ids = new HashMap<>();
        for (WbxmlElement add : answer.child("Changes").children("Add")) {
            ids.putIfAbsent(add.childText("Type"), add.childText("ServerId"));
        }
        return ids;
    }

    /** The Inbox item whose GlobalObjId names {@code uid}, as the phone's first full Sync shows it. */
    private static WbxmlElement syncedRequest(EasTestClient phone, String inbox, String uid) {
        String key = phone.syncCollection("0", inbox, null).childText("SyncKey");
        WbxmlElement collection = phone.post("Sync", el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs
                .child("Collection", c -> c.child("SyncKey", key).child("CollectionId", inbox)
                        .child("GetChanges", "1").child("WindowSize", "100"))).build())
                .body().child("Collections").child("Collection");
        String wanted = GlobalObjId.base64(uid);
        for (WbxmlElement add : collection.child("Commands").children("Add")) {
            WbxmlElement meeting = add.child("ApplicationData").child("Email:MeetingRequest");
            if (meeting != null && wanted.equals(meeting.childText("GlobalObjId"))) {
                return add;
            }
        }
        throw new AssertionError("no meeting request with the GlobalObjId of " + uid);
    }

    private static WbxmlElement respond(EasTestClient phone, String inbox, String serverId, String answer,
                                        boolean send) {
        return phone.post("MeetingResponse", el(CodePage.MEETING_RESPONSE, "MeetingResponse")
                .child("Request", r -> {
                    r.child("UserResponse", answer).child("CollectionId", inbox).child("RequestId", serverId);
                    if (send) {
                        r.child("SendResponse", s -> s.child("AirSyncBase:Body",
                                b -> b.child("Type", 1).child("Data", "See you there.")));
                    }
                }).build()).body().child("Result");
    }

    /** The user's event with {@code uid} as Radicale serves it to the user's own login. */
    private static Invitation davEvent(String uid) throws Exception {
        String calendar = radicale.requestAs(attendee, DovecotProcess.PASSWORD, "GET", attendee + "/calendar/",
                null, null).body().replaceAll("\r?\n[ \t]", ""); // unfolded (RFC 5545 3.1): a long UID is folded
        int at = calendar.indexOf("UID:" + uid);
        assertThat(at).as("the event in the user's DAV calendar").isPositive();
        int begin = calendar.lastIndexOf("BEGIN:VEVENT", at);
        int end = calendar.indexOf("END:VEVENT", at) + "END:VEVENT".length();
        String zones = calendar.contains("BEGIN:VTIMEZONE") ? calendar.substring(calendar.indexOf("BEGIN:VTIMEZONE"),
                calendar.lastIndexOf("END:VTIMEZONE") + "END:VTIMEZONE".length()) + "\r\n" : "";
        return InvitationReader.read("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + zones
                + calendar.substring(begin, end) + "\r\nEND:VCALENDAR\r\n").orElseThrow();
    }

    private static String organizerInbox() throws Exception {
        return inbox(organizer);
    }

    /** A user's Inbox messages over IMAP, as unfolded text. */
    private static String inbox(String user) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("mail.imap.port", Integer.toString(dovecot.imapPort()));
        Store store = Session.getInstance(properties).getStore("imap");
        store.connect(dovecot.host(), user, DovecotProcess.PASSWORD);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            StringBuilder all = new StringBuilder();
            for (Message message : inbox.getMessages()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                message.writeTo(out);
                // unfolded: the REPLY's long UID line is folded (RFC 5545 3.1)
                all.append(out.toString(StandardCharsets.UTF_8).replaceAll("\r?\n[ \t]", "")).append("\n=====\n");
            }
            inbox.close(false);
            return all.toString();
        } finally {
            store.close();
        }
    }

    @Test
    void anOutlookInvitationAcceptedWithSendResponseLandsAtItsRealTimesAndRepliesToTheOrganizer()
            throws Exception {
        String uid = "040000008200E00074C5B7101A82E00800000000" + UUID.randomUUID().toString().replace("-", "")
                .toUpperCase() + "0000000000000000100000000123456789ABCDEF0123456789ABCDEF";
        dovecot.deliver(attendee, InvitationMail.load("outlook-request.eml", uid, address(organizer),
                address(attendee)));
        EasTestClient phone = phone("MEETOUTLOOK", "16.1");
        String inbox = folders(phone).get("2");

        WbxmlElement add = syncedRequest(phone, inbox, uid);
        WbxmlElement data = add.child("ApplicationData");
        assertThat(data.childText("Email:MessageClass")).isEqualTo("IPM.Schedule.Meeting.Request");
        assertThat(data.child("Email:MeetingRequest").childText("StartTime")).isEqualTo("2026-06-15T08:00:00.000Z");

        WbxmlElement result = respond(phone, inbox, add.childText("ServerId"), "1", true);

        assertThat(result.childText("Status")).isEqualTo("1");
        assertThat(result.childText("CalendarId")).isNotBlank();
        Invitation event = davEvent(uid);
        assertThat(event.start()).isEqualTo(START);
        assertThat(event.end()).isEqualTo(END);
        assertThat(event.attendee(address(attendee)).partStat()).isEqualTo("ACCEPTED");
        assertThat(event.organizer().email()).isEqualTo(address(organizer));
        String reply = waitForReply(uid);
        assertThat(reply).contains("METHOD:REPLY", "PARTSTAT=ACCEPTED", "mailto:" + address(attendee),
                "See you there.", "Accepted: Quarterly review");
    }

    @Test
    void thunderbirdAndGoogleInvitationsAnsweredWithoutSendResponseLandWithThePartStatAndSendNothing()
            throws Exception {
        EasTestClient phone = phone("MEETOTHERS", "14.1");
        String inbox = folders(phone).get("2");
        Map<String, String> answers = Map.of("thunderbird-request.eml", "2", "google-request.eml", "1",
                "calendar-attachment-request.eml", "2");
        for (Map.Entry<String, String> shape : answers.entrySet()) {
            String uid = UUID.randomUUID() + (shape.getKey().contains("google") ? "@google.com" : "");
            dovecot.deliver(attendee, InvitationMail.load(shape.getKey(), uid, address(organizer),
                    address(attendee)));
            WbxmlElement add = syncedRequest(phone, inbox, uid);

            WbxmlElement result = respond(phone, inbox, add.childText("ServerId"), shape.getValue(), false);

            assertThat(result.childText("Status")).as(shape.getKey()).isEqualTo("1");
            Invitation event = davEvent(uid);
            assertThat(event.start()).as(shape.getKey()).isEqualTo(START);
            assertThat(event.end()).as(shape.getKey()).isEqualTo(END);
            assertThat(event.attendee(address(attendee)).partStat()).as(shape.getKey())
                    .isEqualTo(shape.getValue().equals("1") ? "ACCEPTED" : "TENTATIVE");
            assertThat(organizerInbox()).doesNotContain(uid);
        }
    }

    private static String waitForReply(String uid) throws Exception {
        return waitForMessage(organizer, uid, "");
    }

    /** The first message in {@code user}'s Inbox that holds both texts, waited for. */
    private static String waitForMessage(String user, String text, String also) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            for (String message : inbox(user).split("\n=====\n")) {
                if (message.contains(text) && message.contains(also)) {
                    return message;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no message with " + text + " / " + also + " in the Inbox of " + user);
            }
            Thread.sleep(200);
        }
    }

    private static void meeting(WbxmlElement.Builder data, String subject, String start, String end) {
        data.child("Calendar:Timezone", CalendarItems.UTC_TIME_ZONE)
                .child("Calendar:DtStamp", "20260601T000000Z")
                .child("Calendar:StartTime", start)
                .child("Calendar:Subject", subject)
                .child("Calendar:EndTime", end)
                .child("Calendar:Sensitivity", "0")
                .child("Calendar:BusyStatus", "2")
                .child("Calendar:AllDayEvent", "0")
                .child("Calendar:Reminder", "15")
                .child("Calendar:MeetingStatus", "1")
                .child("Calendar:Attendees", list -> list.child("Attendee", a -> a.child("Email", address(attendee))
                        .child("Name", "The Attendee").child("AttendeeType", "1")));
    }

    private static String uidOf(String message) {
        int at = message.indexOf("\nUID:");
        return message.substring(at + 5, message.indexOf('\r', at + 5));
    }

    @Test
    void anOrganizersAddChangeAndDeleteThroughSyncSendRequestsAndTheCancelToTheAttendee() throws Exception {
        EasTestClient phone = new EasTestClient(server.uri(), organizer, DovecotProcess.PASSWORD, "MEETORGANIZER")
                .protocolVersion("16.1");
        assertThat(phone.provision().status()).isEqualTo(200);
        String calendar = folders(phone).get("8");
        String subject = "Planning " + UUID.randomUUID();
        String key = phone.syncCollection("0", calendar, null).childText("SyncKey");

        WbxmlElement added = phone.syncCollection(key, calendar, commands -> commands.child("Add", a -> a
                .child("ClientId", "new-1").child("ApplicationData", d -> meeting(d, subject, "20260701T090000Z",
                        "20260701T100000Z"))));
        String serverId = added.child("Responses").child("Add").childText("ServerId");
        assertThat(serverId).isNotBlank();
        String invitation = waitForMessage(attendee, subject, "METHOD:REQUEST");
        assertThat(invitation).contains("DTSTART:20260701T090000Z", "ORGANIZER", "mailto:" + address(organizer));

        WbxmlElement changed = phone.syncCollection(added.childText("SyncKey"), calendar, commands -> commands
                .child("Change", c -> c.child("ServerId", serverId).child("ApplicationData", d -> meeting(d, subject,
                        "20260701T100000Z", "20260701T110000Z"))));
        String update = waitForMessage(attendee, subject, "DTSTART:20260701T100000Z");
        assertThat(update).contains("METHOD:REQUEST");
        assertThat(uidOf(update)).isEqualTo(uidOf(invitation));

        phone.syncCollection(changed.childText("SyncKey"), calendar, commands -> commands
                .child("Delete", d -> d.child("ServerId", serverId)));
        String cancel = waitForMessage(attendee, subject, "METHOD:CANCEL");
        assertThat(cancel).contains("STATUS:CANCELLED", "Canceled: " + subject);
        assertThat(uidOf(cancel)).isEqualTo(uidOf(invitation));
        Invitation cancelled = InvitationReader.read(cancel.substring(cancel.indexOf("BEGIN:VCALENDAR"),
                cancel.indexOf("END:VCALENDAR") + "END:VCALENDAR".length())).orElseThrow();
        assertThat(cancelled.method()).isEqualTo("CANCEL");
        assertThat(cancelled.sequence()).isGreaterThan(0);
    }
}
