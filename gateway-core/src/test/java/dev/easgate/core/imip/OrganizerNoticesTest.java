package dev.easgate.core.imip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.auth.Account;
import dev.easgate.core.command.mail.OutgoingMail;
import dev.easgate.wbxml.WbxmlElement;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class OrganizerNoticesTest {
    private static final Account OLGA = new Account("olga", "Olga Organizer", "olga@example.test");

    /** One sent message: its recipients and text. */
    private record Sent(List<String> to, String text) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final OutgoingMail outgoing = (sender, recipients, mime) -> {
        sent.add(new Sent(List.copyOf(recipients), new String(mime, StandardCharsets.UTF_8)
                .replaceAll("\r\n[ \t]", "")));
        return Mono.just(new OutgoingMail.DeliveryReport(0, recipients.size(), 0));
    };
    private final OrganizerNotices notices = new OrganizerNotices(outgoing,
            Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC));

    private static WbxmlElement meeting(String start, String status, String organizer, String... attendees) {
        WbxmlElement.Builder data = WbxmlElement.el("AirSync:ApplicationData")
                .child("Calendar:StartTime", start)
                .child("Calendar:Subject", "Review")
                .child("Calendar:UID", "uid-1")
                .child("Calendar:EndTime", "20260701T230000Z")
                .child("Calendar:Reminder", "15")
                .child("Calendar:MeetingStatus", status);
        if (organizer != null) {
            data.child("Calendar:OrganizerEmail", organizer);
        }
        data.child("Calendar:Attendees", list -> {
            for (String attendee : attendees) {
                list.child("Attendee", a -> a.child("Email", attendee).child("Name", attendee));
            }
        });
        return data.build();
    }

    @Test
    void aMovedMeetingIsSentAgainAndARemovedAttendeeIsCancelled() {
        WbxmlElement before = meeting("20260701T090000Z", "1", null, "ann@example.test", "bob@example.test");
        WbxmlElement after = meeting("20260701T100000Z", "1", null, "ann@example.test");

        notices.changed(OLGA, "7", before, after).block();

        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).to()).containsExactly("bob@example.test");
        assertThat(sent.get(0).text()).contains("METHOD:CANCEL", "STATUS:CANCELLED", "UID:uid-1",
                "ORGANIZER;CN=Olga Organizer:mailto:olga@example.test");
        assertThat(sent.get(1).to()).containsExactly("ann@example.test");
        assertThat(sent.get(1).text()).contains("METHOD:REQUEST", "DTSTART:20260701T100000Z", "UID:uid-1")
                .doesNotContain("STATUS:CANCELLED");
    }

    @Test
    void aReminderChangeSendsNothingNorDoesAMeetingTheUserWasInvitedTo() {
        WbxmlElement before = meeting("20260701T090000Z", "1", "olga@example.test", "ann@example.test");
        WbxmlElement after = WbxmlElement.parent(before.tag(), before.children().stream()
                .map(c -> c.matches("Calendar:Reminder") ? WbxmlElement.el("Calendar:Reminder").text("30").build() : c)
                .toList());
        notices.changed(OLGA, "7", before, after).block();

        WbxmlElement received = meeting("20260701T090000Z", "3", "ann@example.test", "olga@example.test");
        notices.changed(OLGA, "8", received, meeting("20260701T100000Z", "3", "ann@example.test",
                "olga@example.test")).block();
        notices.deleted(OLGA, "8", received).block();

        WbxmlElement othersMeeting = meeting("20260701T090000Z", "1", "ann@example.test", "bob@example.test");
        notices.deleted(OLGA, "9", othersMeeting).block();

        assertThat(sent).isEmpty();
    }

    @Test
    void deletingOrCancellingTheMeetingCancelsItForEveryAttendee() {
        WbxmlElement meeting = meeting("20260701T090000Z", "1", null, "ann@example.test", "bob@example.test");

        notices.deleted(OLGA, "7", meeting).block();
        notices.changed(OLGA, "7", meeting, meeting("20260701T090000Z", "5", null, "ann@example.test",
                "bob@example.test")).block();

        assertThat(sent).hasSize(2).allSatisfy(message -> {
            assertThat(message.to()).containsExactly("ann@example.test", "bob@example.test");
            assertThat(message.text()).contains("METHOD:CANCEL", "Subject: Canceled: Review");
        });
    }

    @Test
    void aFailedSendIsLoggedAndTheWriteStands() {
        OrganizerNotices failing = new OrganizerNotices((sender, recipients, mime) ->
                Mono.error(new IllegalStateException("relay down")), Clock.systemUTC());

        failing.deleted(OLGA, "7", meeting("20260701T090000Z", "1", null, "ann@example.test")).block();
    }
}
