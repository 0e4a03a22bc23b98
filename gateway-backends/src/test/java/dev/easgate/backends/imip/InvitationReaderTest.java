package dev.easgate.backends.imip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.dav.EasTimeZone;
import dev.easgate.backends.ical.RecurrencePattern;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class InvitationReaderTest {

    private static String calendar(String... lines) {
        return String.join("\r\n", "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", String.join("\r\n", lines),
                "END:VCALENDAR", "");
    }

    private static final String OUTLOOK_ZONE = String.join("\r\n",
            "BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time",
            "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
            "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
            "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
            "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT", "END:VTIMEZONE");

    @Test
    void anOutlookInvitationWithAWindowsZoneAndItsVTimezoneIsReadAtItsRealTimes() {
        Invitation invitation = InvitationReader.read(calendar("METHOD:REQUEST", OUTLOOK_ZONE,
                "BEGIN:VEVENT", "ORGANIZER;CN=Bob Organizer:mailto:Bob@Example.test",
                "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=user1:mailto:user1@example.test",
                "DESCRIPTION;LANGUAGE=en-US:Agenda\\, notes\\nand more", "UID:outlook-1",
                "SUMMARY;LANGUAGE=en-US:Quarterly review", "DTSTART;TZID=W. Europe Standard Time:20260615T100000",
                "DTEND;TZID=W. Europe Standard Time:20260615T113000", "CLASS:PUBLIC", "PRIORITY:5",
                "DTSTAMP:20260601T080000Z", "TRANSP:OPAQUE", "STATUS:CONFIRMED", "SEQUENCE:0",
                "LOCATION;LANGUAGE=en-US:Room 4", "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
                "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
                "BEGIN:VALARM", "DESCRIPTION:REMINDER", "TRIGGER;RELATED=START:-PT15M", "ACTION:DISPLAY",
                "END:VALARM", "END:VEVENT")).orElseThrow();

        assertThat(invitation.method()).isEqualTo("REQUEST");
        assertThat(invitation.start()).isEqualTo(Instant.parse("2026-06-15T08:00:00Z"));
        assertThat(invitation.end()).isEqualTo(Instant.parse("2026-06-15T09:30:00Z"));
        assertThat(invitation.summary()).isEqualTo("Quarterly review");
        assertThat(invitation.description()).isEqualTo("Agenda, notes\nand more");
        assertThat(invitation.organizer()).isEqualTo(new Invitation.Person("bob@example.test", "Bob Organizer"));
        assertThat(invitation.attendee("USER1@example.test").partStat()).isEqualTo("NEEDS-ACTION");
        assertThat(invitation.responseRequested()).isTrue();
        assertThat(invitation.reminderMinutes()).isEqualTo(15);
        assertThat(invitation.busyStatus()).isEqualTo(2);
        EasTimeZone zone = EasTimeZone.decode(invitation.timeZone());
        assertThat(zone.offsetAt(invitation.start())).isEqualTo(ZoneOffset.ofHours(2));
        assertThat(zone.offsetAt(Instant.parse("2026-01-15T08:00:00Z"))).isEqualTo(ZoneOffset.ofHours(1));
    }

    @Test
    void aWindowsZoneNameWithoutVTimezoneIsMappedToItsIanaZone() {
        Invitation invitation = InvitationReader.read(calendar("METHOD:REQUEST", "BEGIN:VEVENT", "UID:w-1",
                "DTSTART;TZID=\"Pacific Standard Time\":20260115T090000", "DURATION:PT45M",
                "DTSTAMP:20260101T000000Z", "END:VEVENT")).orElseThrow();

        assertThat(invitation.start()).isEqualTo(Instant.parse("2026-01-15T17:00:00Z"));
        assertThat(invitation.end()).isEqualTo(Instant.parse("2026-01-15T17:45:00Z"));
        assertThat(EasTimeZone.decode(invitation.timeZone()).offsetAt(Instant.parse("2026-07-01T00:00:00Z")))
                .isEqualTo(ZoneOffset.ofHours(-7));
    }

    @Test
    void aCustomVTimezoneIsHonouredEvenUnderAnIanaName() {
        Invitation invitation = InvitationReader.read(calendar("METHOD:REQUEST",
                "BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "BEGIN:STANDARD", "DTSTART:19700101T000000",
                "TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "END:STANDARD", "END:VTIMEZONE",
                "BEGIN:VEVENT", "UID:c-1", "DTSTART;TZID=Europe/Berlin:20260115T100000",
                "DTSTAMP:20260101T000000Z", "END:VEVENT")).orElseThrow();

        assertThat(invitation.start()).isEqualTo(Instant.parse("2026-01-15T04:30:00Z"));
        assertThat(invitation.end()).isEqualTo(Instant.parse("2026-01-15T05:30:00Z"));
    }

    @Test
    void ianaZonesPrefixedZonesUnknownZonesAndAllDayEvents() {
        Invitation iana = InvitationReader.read(calendar("BEGIN:VEVENT", "UID:i-1",
                "DTSTART;TZID=America/New_York:20260704T120000", "END:VEVENT")).orElseThrow();
        assertThat(iana.start()).isEqualTo(Instant.parse("2026-07-04T16:00:00Z"));
        assertThat(iana.method()).isEmpty();

        Invitation mozilla = InvitationReader.read(calendar("BEGIN:VEVENT", "UID:m-1",
                "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260115T100000", "END:VEVENT")).orElseThrow();
        assertThat(mozilla.start()).isEqualTo(Instant.parse("2026-01-15T09:00:00Z"));

        Invitation unknown = InvitationReader.read(calendar("BEGIN:VEVENT", "UID:u-1",
                "DTSTART;TZID=Nowhere Standard Time:20260115T100000", "END:VEVENT")).orElseThrow();
        assertThat(unknown.start()).isEqualTo(Instant.parse("2026-01-15T10:00:00Z"));

        Invitation allDay = InvitationReader.read(calendar("BEGIN:VEVENT", "UID:a-1",
                "DTSTART;VALUE=DATE:20260301", "DTEND;VALUE=DATE:20260302", "RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1",
                "END:VEVENT")).orElseThrow();
        assertThat(allDay.allDay()).isTrue();
        assertThat(allDay.start()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
        assertThat(allDay.end()).isEqualTo(Instant.parse("2026-03-02T00:00:00Z"));
        assertThat(RecurrencePattern.of(allDay.rrule()))
                .isEqualTo(new RecurrencePattern(5, null, null, null, null, 1, null, 3, null));
    }

    @Test
    void notAnInvitation() {
        assertThat(InvitationReader.read("hello")).isEmpty();
        assertThat(InvitationReader.read(calendar("BEGIN:VTODO", "UID:t", "END:VTODO"))).isEmpty();
        assertThat(InvitationReader.read(calendar("BEGIN:VEVENT", "DTSTART:20260101T000000Z", "END:VEVENT")))
                .isEmpty();
    }

    @Test
    void malformedInvitationsAreNoInvitationNeverAnException() {
        String[] broken = {
            calendar("BEGIN:VEVENT", "UID:x", "DTSTART:2026-01-15", "END:VEVENT"),
            calendar("BEGIN:VEVENT", "UID:x", "DTSTART;TZID=\"unterminated:20260115T100000", "END:VEVENT"),
            calendar("BEGIN:VEVENT", "UID:x", "DTSTART:20260115T100000Z", "DURATION:PXYZ", "END:VEVENT"),
            calendar("BEGIN:VEVENT", "UID:x", "DTSTART:20260115T100000Z", "BEGIN:VALARM", "TRIGGER:-PTQM",
                    "END:VALARM", "END:VEVENT"),
            calendar("BEGIN:VEVENT", "UID:x", "DTSTART:20260115T100000Z", "SEQUENCE:many", "END:VEVENT"),
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n",
        };
        for (String text : broken) {
            assertThat(InvitationReader.read(text)).as(text).satisfiesAnyOf(
                    read -> assertThat(read).isEmpty(), read -> assertThat(read.orElseThrow().uid()).isEqualTo("x"));
        }
    }
}
