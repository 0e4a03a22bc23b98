package dev.easgate.core.command.meeting;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The part of an iCalendar VEVENT (RFC 5545 3.6.1) that a meeting response needs.
 *
 * @param method         the VCALENDAR METHOD (RFC 5546 1.4: REQUEST, REPLY, CANCEL ...), upper case, or ""
 * @param uid            the event's UID
 * @param sequence       its SEQUENCE (0 when absent)
 * @param start          DTSTART as an instant (a floating or unknown-zone time is read as UTC)
 * @param end            DTEND, or start plus DURATION, or start plus one hour (one day for an all-day event)
 * @param allDay         DTSTART was a DATE value
 * @param summary        SUMMARY, or ""
 * @param location       LOCATION, or {@code null}
 * @param description    DESCRIPTION, or {@code null}
 * @param organizerEmail the ORGANIZER's address (without mailto:), lower case, or {@code null}
 * @param organizerName  the ORGANIZER's CN, or {@code null}
 * @param attendees      the ATTENDEEs
 */
public record MeetingInvite(String method, String uid, int sequence, Instant start, Instant end, boolean allDay,
                            String summary, String location, String description, String organizerEmail,
                            String organizerName, List<Attendee> attendees) {

    /** One ATTENDEE: address (lower case) and CN, or {@code null}. */
    public record Attendee(String email, String name) {
        public Attendee {
            Objects.requireNonNull(email, "email");
        }
    }

    public MeetingInvite {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(summary, "summary");
        attendees = List.copyOf(attendees);
    }

    /** Whether {@code address} organizes this meeting. */
    public boolean organizedBy(String address) {
        return organizerEmail != null && organizerEmail.equalsIgnoreCase(address);
    }
}
