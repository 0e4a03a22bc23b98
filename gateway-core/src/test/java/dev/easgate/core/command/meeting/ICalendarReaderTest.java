package dev.easgate.core.command.meeting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.auth.Account;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ICalendarReaderTest {

    @Test
    void readsARequestWithFoldedLinesQuotedParametersAndATimeZone() {
        String ics = String.join("\r\n",
                "BEGIN:VCALENDAR",
                "METHOD:REQUEST",
                "BEGIN:VTIMEZONE",
                "TZID:Europe/Berlin",
                "END:VTIMEZONE",
                "BEGIN:VEVENT",
                "UID:abc-123@example.com",
                "SEQUENCE:2",
                "DTSTART;TZID=Europe/Berlin:20250310T140000",
                "DTEND;TZID=Europe/Berlin:20250310T150000",
                "SUMMARY:Planning\\, part 2\\; with a very long title that the sender folded ",
                " onto a second line",
                "LOCATION:Room 1",
                "ORGANIZER;CN=\"Walker, Alice\":mailto:Alice@Example.com",
                "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Demo User:mailto:demo@example.com",
                "BEGIN:VALARM",
                "DESCRIPTION:reminder",
                "END:VALARM",
                "END:VEVENT",
                "END:VCALENDAR", "");

        MeetingInvite invite = ICalendarReader.read(ics).orElseThrow();

        assertThat(invite.method()).isEqualTo("REQUEST");
        assertThat(invite.uid()).isEqualTo("abc-123@example.com");
        assertThat(invite.sequence()).isEqualTo(2);
        assertThat(invite.start()).isEqualTo(Instant.parse("2025-03-10T13:00:00Z"));
        assertThat(invite.end()).isEqualTo(Instant.parse("2025-03-10T14:00:00Z"));
        assertThat(invite.allDay()).isFalse();
        assertThat(invite.summary())
                .isEqualTo("Planning, part 2; with a very long title that the sender folded onto a second line");
        assertThat(invite.description()).isNull();
        assertThat(invite.organizerEmail()).isEqualTo("alice@example.com");
        assertThat(invite.organizerName()).isEqualTo("Walker, Alice");
        assertThat(invite.attendees()).containsExactly(new MeetingInvite.Attendee("demo@example.com", "Demo User"));
    }

    @Test
    void readsAllDayEventsUtcTimesAndDurations() {
        MeetingInvite allDay = ICalendarReader.read("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\n"
                + "DTSTART;VALUE=DATE:20250401\nEND:VEVENT\nEND:VCALENDAR\n").orElseThrow();
        assertThat(allDay.allDay()).isTrue();
        assertThat(allDay.end()).isEqualTo(Instant.parse("2025-04-02T00:00:00Z"));

        MeetingInvite timed = ICalendarReader.read("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:2\n"
                + "DTSTART:20250401T080000Z\nDURATION:PT90M\nEND:VEVENT\nEND:VCALENDAR\n").orElseThrow();
        assertThat(timed.end()).isEqualTo(Instant.parse("2025-04-01T09:30:00Z"));
        assertThat(timed.method()).isEmpty();
    }

    @Test
    void noEventOrNoUidIsNoInvite() {
        assertThat(ICalendarReader.read("BEGIN:VCALENDAR\nEND:VCALENDAR\n")).isEmpty();
        assertThat(ICalendarReader.read("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20250401T080000Z\nEND:VEVENT\n"))
                .isEmpty();
    }

    @Test
    void replyCarriesTheAttendeesPartStatAndFoldsLongLines() {
        MeetingInvite invite = ICalendarReader.read("BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nUID:u-1\n"
                + "SEQUENCE:1\nDTSTART:20250401T080000Z\nDTEND:20250401T090000Z\nSUMMARY:" + "x".repeat(100) + "\n"
                + "ORGANIZER;CN=Alice:mailto:alice@example.com\nEND:VEVENT\nEND:VCALENDAR\n").orElseThrow();
        Account demo = new Account("demo", "Demo User", "demo@example.com");

        String reply = MeetingReply.calendar(invite, demo, UserResponse.TENTATIVE,
                Instant.parse("2025-03-01T00:00:00Z"));

        assertThat(reply).contains("METHOD:REPLY\r\n", "UID:u-1\r\n", "SEQUENCE:1\r\n",
                "DTSTART:20250401T080000Z\r\n", "ORGANIZER;CN=\"Alice\":mailto:alice@example.com\r\n",
                "ATTENDEE;PARTSTAT=TENTATIVE;CN=\"Demo User\":mailto:demo@example.com\r\n");
        assertThat(reply.split("\r\n")).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(75));
        assertThat(ICalendarReader.read(reply).orElseThrow().summary()).isEqualTo("x".repeat(100));
    }
}
