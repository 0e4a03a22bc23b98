package dev.easgate.backends.imip;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The first VEVENT of an iTIP message (RFC 5546) with what a phone needs to show and answer it.
 *
 * @param method            the VCALENDAR METHOD (REQUEST, CANCEL, REPLY ...), upper case, or ""
 * @param uid               the event's UID
 * @param sequence          SEQUENCE, 0 when absent
 * @param dtStamp           DTSTAMP, or {@code null}
 * @param start             DTSTART as an instant, in the zone its TZID names (a DATE at midnight UTC)
 * @param end               DTEND, or start plus DURATION, or start plus one hour (one day when all day)
 * @param allDay            DTSTART is a DATE
 * @param timeZone          the event's zone as an EAS TIME_ZONE_INFORMATION in base64 (MS-ASDTYPE 2.7.6)
 * @param summary           SUMMARY, or ""
 * @param location          LOCATION, or {@code null}
 * @param description       DESCRIPTION, or {@code null}
 * @param organizer         ORGANIZER, or {@code null}
 * @param attendees         the ATTENDEEs
 * @param recurrenceId      RECURRENCE-ID of a single occurrence, or {@code null}
 * @param rrule             RRULE's value, or {@code null}
 * @param reminderMinutes   minutes before the start of the first VALARM with a relative trigger, or {@code null}
 * @param busyStatus        MS-ASCAL BusyStatus the organizer intends: 0 free, 1 tentative, 2 busy, 3 away, 4
 *                          working elsewhere
 * @param sensitivity       MS-ASCAL Sensitivity from CLASS: 0 normal, 1 personal, 2 private, 3 confidential
 * @param responseRequested an attendee is asked to answer (RSVP=TRUE)
 * @param disallowNewTime   the organizer refuses counter-proposals (X-MICROSOFT-DISALLOW-COUNTER)
 */
public record Invitation(String method, String uid, int sequence, Instant dtStamp, Instant start, Instant end,
                         boolean allDay, String timeZone, String summary, String location, String description,
                         Person organizer, List<Attendee> attendees, Instant recurrenceId, String rrule,
                         Integer reminderMinutes, int busyStatus, int sensitivity, boolean responseRequested,
                         boolean disallowNewTime) {

    /** An ORGANIZER: address (lower case, without mailto:) and CN or {@code null}. */
    public record Person(String email, String name) {
        public Person {
            Objects.requireNonNull(email, "email");
        }

        /** {@code "Name" <address>}, or the address alone. */
        public String display() {
            return name == null || name.isBlank() ? email : "\"" + name.replace("\"", "'") + "\" <" + email + ">";
        }
    }

    /**
     * An ATTENDEE.
     *
     * @param email    address, lower case
     * @param name     CN, or {@code null}
     * @param partStat PARTSTAT, upper case (NEEDS-ACTION when absent)
     * @param role     ROLE, upper case (REQ-PARTICIPANT when absent)
     * @param rsvp     RSVP=TRUE
     */
    public record Attendee(String email, String name, String partStat, String role, boolean rsvp) {
        public Attendee {
            Objects.requireNonNull(email, "email");
            Objects.requireNonNull(partStat, "partStat");
            Objects.requireNonNull(role, "role");
        }
    }

    public Invitation {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(timeZone, "timeZone");
        Objects.requireNonNull(summary, "summary");
        attendees = List.copyOf(attendees);
    }

    /** Whether {@code address} organizes this meeting. */
    public boolean organizedBy(String address) {
        return organizer != null && address != null && organizer.email().equalsIgnoreCase(address.trim());
    }

    /** The attendee with this address, or {@code null}. */
    public Attendee attendee(String address) {
        if (address == null) {
            return null;
        }
        String wanted = address.trim().toLowerCase(Locale.ROOT);
        return attendees.stream().filter(a -> a.email().equals(wanted)).findFirst().orElse(null);
    }
}
