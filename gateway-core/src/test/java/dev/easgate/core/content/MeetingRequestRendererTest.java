package dev.easgate.core.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.dav.EasTimeZone;
import dev.easgate.backends.imip.GlobalObjId;
import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.core.testing.InvitationMail;
import dev.easgate.wbxml.WbxmlElement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Invitations in the shapes real programs send render with Email:MeetingRequest and the meeting's MessageClass at
 * every protocol version, at their real times, with the GlobalObjId of their UID.
 */
class MeetingRequestRendererTest {
    private static final Instant RECEIVED = Instant.parse("2026-06-01T07:30:30Z");

    private static WbxmlElement render(String fixture, String uid, ProtocolVersion version) {
        byte[] mime = InvitationMail.load(fixture, uid, "olga@example.test", "user1@example.test");
        Item item = new Item("f1:7", "f1", 1, RECEIVED, new ItemContent.Email(mime, EmailFlags.UNREAD));
        return EmailRenderer.render(item, ContentOptions.defaults(version));
    }

    @ParameterizedTest
    @CsvSource({
            "outlook-request.eml, 040000008200E00074C5B7101A82E0080000000030E0C2D4F3A1DC01000000000000000010000000C4A4C5E28B1F2A4F8A1C3B2D7E6F5A41, 2, 900",
            "thunderbird-request.eml, 3f1c2b9e-7a4d-4c6e-9b1a-5d2e8f7c6a10, 2, 600",
            "google-request.eml, 5q3ab8ik1m2n4o6p7r8s9t0u1v@google.com, 2, 1800",
            "calendar-attachment-request.eml, 7a8b9c0d1e2f@google.com, 2, 1800"})
    void everyShapeRendersItsMeetingAtItsRealTimesInEveryVersion(String fixture, String uid, int busy,
                                                                 long reminderSeconds) {
        for (ProtocolVersion version : ProtocolVersion.values()) {
            WbxmlElement data = render(fixture, uid, version);
            assertThat(data.childText("Email:MessageClass")).as(version.header())
                    .isEqualTo("IPM.Schedule.Meeting.Request");
            WbxmlElement meeting = data.child("Email:MeetingRequest");
            assertThat(meeting).as(fixture + " at " + version.header()).isNotNull();
            assertThat(meeting.childText("StartTime")).isEqualTo("2026-06-15T08:00:00.000Z");
            assertThat(meeting.childText("EndTime")).isEqualTo("2026-06-15T09:00:00.000Z");
            assertThat(meeting.childText("DtStamp")).isNotBlank();
            assertThat(meeting.childText("AllDayEvent")).isEqualTo("0");
            assertThat(meeting.childText("Organizer")).isEqualTo("\"Olga Organizer\" <olga@example.test>");
            assertThat(meeting.childText("ResponseRequested")).isEqualTo("1");
            assertThat(meeting.childText("BusyStatus")).isEqualTo(Integer.toString(busy));
            assertThat(meeting.childText("Reminder")).isEqualTo(Long.toString(reminderSeconds));
            assertThat(meeting.childText("Sensitivity")).isEqualTo("0");
            String globalObjId = meeting.childText("GlobalObjId");
            assertThat(GlobalObjId.uid(Base64.getDecoder().decode(globalObjId))).isEqualTo(uid);
            EasTimeZone zone = EasTimeZone.decode(meeting.childText("TimeZone"));
            assertThat(zone.offsetAt(Instant.parse("2026-06-15T08:00:00Z"))).isEqualTo(ZoneOffset.ofHours(2));
            assertThat(zone.offsetAt(Instant.parse("2026-12-15T08:00:00Z"))).isEqualTo(ZoneOffset.ofHours(1));
            if (version.atLeast(ProtocolVersion.V16_0)) {
                assertThat(meeting.child("Email:Location")).isNull();
                assertThat(meeting.child("AirSyncBase:Location").childText("DisplayName")).isEqualTo("Room Rhine");
            } else {
                assertThat(meeting.childText("Email:Location")).isEqualTo("Room Rhine");
            }
            assertThat(meeting.child("DisallowNewTimeProposal") != null)
                    .isEqualTo(version.atLeast(ProtocolVersion.V14_0));
            assertThat(meeting.childText("Email2:MeetingMessageType"))
                    .isEqualTo(version.atLeast(ProtocolVersion.V14_1) ? "1" : null);
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void aWeeklyGoogleSeriesCarriesItsRecurrence(ProtocolVersion version) {
        WbxmlElement meeting = render("google-request.eml", "series@google.com", version).child("Email:MeetingRequest");

        assertThat(meeting.childText("InstanceType")).isEqualTo("1");
        WbxmlElement recurrence = meeting.child("Recurrences").child("Recurrence");
        assertThat(recurrence.childText("Type")).isEqualTo("1");
        assertThat(recurrence.childText("Occurrences")).isEqualTo("4");
        assertThat(recurrence.childText("DayOfWeek")).isEqualTo("2");
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void aCancellationIsRenderedAsCanceled(ProtocolVersion version) {
        WbxmlElement data = render("outlook-cancel.eml", "cancel-1", version);

        assertThat(data.childText("Email:MessageClass")).isEqualTo("IPM.Schedule.Meeting.Canceled");
        WbxmlElement meeting = data.child("Email:MeetingRequest");
        assertThat(meeting.childText("StartTime")).isEqualTo("2026-06-15T08:00:00.000Z");
        assertThat(meeting.childText("ResponseRequested")).isEqualTo("0");
        assertThat(meeting.childText("Email2:MeetingMessageType"))
                .isEqualTo(version.atLeast(ProtocolVersion.V14_1) ? "0" : null);
    }
}
