package dev.easgate.core.command.meeting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.imip.Invitation;
import dev.easgate.backends.imip.InvitationReader;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MeetingReplyTest {

    @Test
    void replyCarriesTheAttendeesPartStatAndFoldsLongLines() {
        Invitation invite = InvitationReader.read("BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nUID:u-1\n"
                + "SEQUENCE:1\nDTSTART:20250401T080000Z\nDTEND:20250401T090000Z\nSUMMARY:" + "x".repeat(100) + "\n"
                + "ORGANIZER;CN=Alice:mailto:alice@example.com\nEND:VEVENT\nEND:VCALENDAR\n").orElseThrow();
        Account demo = new Account("demo", "Demo User", "demo@example.com");

        String reply = MeetingReply.calendar(invite, demo, UserResponse.TENTATIVE,
                Instant.parse("2025-03-01T00:00:00Z"));

        assertThat(reply).contains("METHOD:REPLY\r\n", "UID:u-1\r\n", "SEQUENCE:1\r\n",
                "DTSTART:20250401T080000Z\r\n", "ORGANIZER;CN=\"Alice\":mailto:alice@example.com\r\n",
                "ATTENDEE;PARTSTAT=TENTATIVE;CN=\"Demo User\":mailto:demo@example.com\r\n");
        assertThat(reply.split("\r\n")).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(75));
        Invitation back = InvitationReader.read(reply).orElseThrow();
        assertThat(back.summary()).isEqualTo("x".repeat(100));
        assertThat(back.method()).isEqualTo("REPLY");
        assertThat(back.attendee("demo@example.com").partStat()).isEqualTo("TENTATIVE");
    }
}
