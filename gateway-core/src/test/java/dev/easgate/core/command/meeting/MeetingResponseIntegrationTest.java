package dev.easgate.core.command.meeting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MeetingResponseIntegrationTest {
    private static GatewayTestServer server;
    private static EasTestClient demo;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start();
        demo = server.client("demo", "meeting-demo");
        assertThat(demo.provision().status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static MailStore store() {
        return server.gateway().services().mailStore();
    }


    /** A meeting request from alice to demo, as an organizer's mail program writes it (RFC 6047). */
    private static byte[] invitation(String uid, String subject) {
        String ics = String.join("\r\n",
                "BEGIN:VCALENDAR", "PRODID:-//test//EN", "VERSION:2.0", "METHOD:REQUEST",
                "BEGIN:VEVENT", "UID:" + uid, "SEQUENCE:0", "DTSTAMP:20250301T090000Z",
                "DTSTART:20250310T130000Z", "DTEND:20250310T140000Z", "SUMMARY:" + subject,
                "LOCATION:Room 4", "DESCRIPTION:Let us plan.",
                "ORGANIZER;CN=Alice Walker:mailto:alice@example.com",
                "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Demo User:mailto:demo@example.com",
                "END:VEVENT", "END:VCALENDAR", "");
        String mime = String.join("\r\n",
                "From: Alice Walker <alice@example.com>", "To: Demo User <demo@example.com>",
                "Subject: " + subject, "Date: Sat, 1 Mar 2025 09:00:00 +0000",
                "Message-ID: <" + uid + ">", "MIME-Version: 1.0",
                "Content-Type: multipart/alternative; boundary=\"inv\"", "",
                "--inv", "Content-Type: text/plain; charset=UTF-8", "", "You are invited.",
                "--inv", "Content-Type: text/calendar; method=REQUEST; charset=UTF-8", "", ics,
                "--inv--", "");
        return mime.getBytes(StandardCharsets.UTF_8);
    }

    private static Item deliverToDemo(byte[] mime) {
        return store().add("demo", server.folderId("demo", FolderType.INBOX),
                new ItemContent.Email(mime, dev.easgate.backends.mail.EmailFlags.UNREAD)).block();
    }

    private static WbxmlElement request(String response, String collectionId, String requestId, boolean send) {
        return WbxmlElement.el(CodePage.MEETING_RESPONSE, "MeetingResponse")
                .child("Request", r -> {
                    r.child("UserResponse", response).child("CollectionId", collectionId)
                            .child("RequestId", requestId);
                    if (send) {
                        r.empty("SendResponse");
                    }
                })
                .build();
    }

    private static Item calendarItem(String user, String uid) {
        return server.items(user, FolderType.CALENDAR).stream()
                .filter(i -> i.content() instanceof ItemContent.Pim pim
                        && uid.equals(pim.applicationData().childText("Calendar:UID")))
                .findFirst().orElse(null);
    }

    @Test
    void acceptingAnEmailedRequestCreatesTheCalendarItemAndRepliesToTheOrganizer() throws Exception {
        String uid = "meeting-" + UUID.randomUUID();
        Item request = deliverToDemo(invitation(uid, "Planning " + uid));

        EasTestClient.Response response = demo.post("MeetingResponse",
                request("1", request.folderId(), request.id(), true));

        assertThat(response.status()).isEqualTo(200);
        WbxmlElement result = response.body().child("Result");
        assertThat(result.childText("RequestId")).isEqualTo(request.id());
        assertThat(result.childText("Status")).isEqualTo("1");
        String calendarId = result.childText("CalendarId");
        assertThat(calendarId).isNotBlank();
        Item event = calendarItem("demo", uid);
        assertThat(event).isNotNull();
        assertThat(event.id()).isEqualTo(calendarId);
        WbxmlElement data = ((ItemContent.Pim) event.content()).applicationData();
        assertThat(data.childText("Calendar:StartTime")).isEqualTo("20250310T130000Z");
        assertThat(data.childText("Calendar:EndTime")).isEqualTo("20250310T140000Z");
        assertThat(data.childText("Calendar:Subject")).isEqualTo("Planning " + uid);
        assertThat(data.childText("Calendar:OrganizerEmail")).isEqualTo("alice@example.com");
        assertThat(data.childText("Calendar:MeetingStatus")).isEqualTo("3");
        assertThat(data.childText("Calendar:ResponseType")).isEqualTo("3");
        assertThat(data.childText("Calendar:BusyStatus")).isEqualTo("2");
        // the answered request left the Inbox for Deleted Items
        assertThat(store().item("demo", request.folderId(), request.id()).block()).isNull();
        // the iMIP REPLY reached alice, the organizer
        Item reply = server.items("alice", FolderType.INBOX).stream()
                .filter(i -> new String(((ItemContent.Email) i.content()).mime(), StandardCharsets.UTF_8)
                        .contains("UID:" + uid))
                .findFirst().orElse(null);
        assertThat(reply).isNotNull();
        String replyText = new String(((ItemContent.Email) reply.content()).mime(), StandardCharsets.UTF_8);
        assertThat(replyText).contains("METHOD:REPLY", "PARTSTAT=ACCEPTED", "mailto:demo@example.com");
        MimeMessage replyMessage = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(((ItemContent.Email) reply.content()).mime()));
        assertThat(replyMessage.getSubject()).isEqualTo("Accepted: Planning " + uid);
    }

    @Test
    void decliningWithoutSendResponseRemovesTheEventAndSendsNothing() {
        String uid = "meeting-" + UUID.randomUUID();
        Item first = deliverToDemo(invitation(uid, "Tentative " + uid));
        EasTestClient.Response tentative = demo.post("MeetingResponse",
                request("2", first.folderId(), first.id(), false));
        assertThat(tentative.body().child("Result").childText("Status")).isEqualTo("1");
        assertThat(((ItemContent.Pim) calendarItem("demo", uid).content()).applicationData()
                .childText("Calendar:ResponseType")).isEqualTo("2");

        Item again = deliverToDemo(invitation(uid, "Tentative " + uid));
        EasTestClient.Response declined = demo.post("MeetingResponse",
                request("3", again.folderId(), again.id(), false));

        WbxmlElement result = declined.body().child("Result");
        assertThat(result.childText("Status")).isEqualTo("1");
        assertThat(result.child("CalendarId")).isNull();
        assertThat(calendarItem("demo", uid)).isNull();
        assertThat(server.items("alice", FolderType.INBOX)).noneMatch(i -> new String(
                ((ItemContent.Email) i.content()).mime(), StandardCharsets.UTF_8).contains("UID:" + uid));
    }

    @Test
    void aPlainEmailOrAnUnknownItemIsAnInvalidRequest() {
        Item plain = deliverToDemo(("From: alice@example.com\r\nTo: demo@example.com\r\nSubject: hi\r\n\r\nhello\r\n")
                .getBytes(StandardCharsets.UTF_8));

        EasTestClient.Response notAMeeting = demo.post("MeetingResponse",
                request("1", plain.folderId(), plain.id(), false));
        EasTestClient.Response unknown = demo.post("MeetingResponse",
                request("1", plain.folderId(), "no-such-item", false));
        EasTestClient.Response badAnswer = demo.post("MeetingResponse",
                request("7", plain.folderId(), plain.id(), false));

        assertThat(notAMeeting.body().child("Result").childText("Status")).isEqualTo("2");
        assertThat(unknown.body().child("Result").childText("Status")).isEqualTo("2");
        assertThat(badAnswer.body().child("Result").childText("Status")).isEqualTo("2");
    }

    @Test
    void theOrganizerCannotAnswerTheirOwnMeetingOnTheCalendar() {
        // the demo calendar's meeting with attendees is organized by the demo user (MS-ASCMD 2.2.3.177.9, 2)
        Item own = server.items("demo", FolderType.CALENDAR).stream()
                .filter(i -> ((ItemContent.Pim) i.content()).applicationData().child("Calendar:Attendees") != null
                        && "demo@example.com".equals(((ItemContent.Pim) i.content()).applicationData()
                        .childText("Calendar:OrganizerEmail")))
                .findFirst().orElseThrow();

        EasTestClient.Response response = demo.post("MeetingResponse", request("1", own.folderId(), own.id(), false));

        assertThat(response.body().child("Result").childText("Status")).isEqualTo("2");
    }
}
