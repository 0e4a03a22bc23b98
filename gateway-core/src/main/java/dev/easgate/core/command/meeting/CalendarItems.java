package dev.easgate.core.command.meeting;

import dev.easgate.backends.imip.Invitation;
import dev.easgate.backends.ical.RecurrencePattern;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The attendee's calendar item of a meeting as AirSync ApplicationData with MS-ASCAL elements, and the way back
 * from such an item to the invitation it stands for. The item keeps the invitation's zone (MS-ASCAL 2.2.2.46
 * Timezone), its recurrence, and every attendee with their status, the user's own being the answer
 * (AttendeeStatus 2.2.2.6, which a DAV store writes as the ATTENDEE's PARTSTAT).
 */
final class CalendarItems {
    /** MS-ASDTYPE 2.7.2 Compact DateTime (also the iCalendar UTC DATE-TIME form). */
    static final DateTimeFormatter COMPACT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** MS-ASCAL 2.2.2.29 MeetingStatus 3: a meeting the user was invited to (received). */
    static final int MEETING_RECEIVED = 3;
    /** Calendar Timezone (MS-ASCAL 2.2.2.42) of UTC: a TIME_ZONE_INFORMATION of zero bias, no daylight saving. */
    static final String UTC_TIME_ZONE = Base64.getEncoder().encodeToString(new byte[172]);
    /** MS-ASCAL 2.2.2.6 AttendeeStatus 5: not responded. */
    private static final int NOT_RESPONDED = 5;
    /** The elements a response rewrites on an existing calendar item. */
    private static final Set<String> RESPONSE_ELEMENTS = Set.of("BusyStatus", "MeetingStatus", "ResponseType",
            "AppointmentReplyTime", "ResponseRequested", "Attendees");

    private CalendarItems() {
    }

    /** The ApplicationData of the meeting on the calendar of {@code user} (an address) after {@code response}. */
    static WbxmlElement fromInvite(Invitation invite, String user, UserResponse response, Instant now) {
        WbxmlElement.Builder data = WbxmlElement.el("AirSync:ApplicationData")
                .child(WbxmlElement.text(timezoneTag(), invite.timeZone()))
                .child("Calendar:DtStamp", COMPACT.format(now))
                .child("Calendar:StartTime", COMPACT.format(invite.start()))
                .child("Calendar:Subject", invite.summary())
                .child("Calendar:UID", invite.uid());
        if (invite.organizer() != null) {
            data.child("Calendar:OrganizerName",
                    invite.organizer().name() == null ? invite.organizer().email() : invite.organizer().name());
            data.child("Calendar:OrganizerEmail", invite.organizer().email());
        }
        data.optional("Calendar:Location", invite.location())
                .child("Calendar:EndTime", COMPACT.format(invite.end()));
        if (invite.rrule() != null && invite.recurrenceId() == null) {
            data.child(RecurrencePattern.of(invite.rrule()).element("Calendar:Recurrence", COMPACT));
        }
        if (invite.description() != null && !invite.description().isBlank()) {
            // AirSyncBase Body of Type 1, plain text (MS-ASAIRS 2.2.2.9)
            data.child("AirSyncBase:Body", b -> b.child("Type", 1).child("Data", invite.description()));
        }
        int reminder = invite.reminderMinutes() != null ? invite.reminderMinutes() : invite.allDay() ? 0 : 15;
        data.child("Calendar:Sensitivity", invite.sensitivity())
                .child("Calendar:BusyStatus", response.busyStatus())
                .child("Calendar:AllDayEvent", invite.allDay() ? 1 : 0)
                .child("Calendar:Reminder", reminder)
                .child("Calendar:MeetingStatus", MEETING_RECEIVED)
                .child(attendees(invite.attendees(), user, response));
        return data.child("Calendar:ResponseRequested", 1)
                .child("Calendar:ResponseType", response.responseType())
                .child("Calendar:AppointmentReplyTime", COMPACT.format(now))
                .build();
    }

    /** Every attendee with their status; the user (added when the invitation reached them through a list) answers. */
    private static WbxmlElement attendees(List<Invitation.Attendee> attendees, String user, UserResponse response) {
        WbxmlElement.Builder list = WbxmlElement.el("Calendar:Attendees");
        boolean listed = false;
        for (Invitation.Attendee attendee : attendees) {
            boolean self = attendee.email().equalsIgnoreCase(user);
            listed |= self;
            list.child(attendee(attendee.email(), attendee.name(),
                    self ? response.responseType() : status(attendee.partStat()), type(attendee.role())));
        }
        if (!listed) {
            list.child(attendee(user.toLowerCase(Locale.ROOT), null, response.responseType(), 1));
        }
        return list.build();
    }

    private static WbxmlElement attendee(String email, String name, int status, int type) {
        return WbxmlElement.el("Calendar:Attendee")
                .child("Email", email)
                .child("Name", name == null ? email : name)
                .child("AttendeeStatus", status)
                .child("AttendeeType", type)
                .build();
    }

    /** PARTSTAT as MS-ASCAL AttendeeStatus: 2 tentative, 3 accepted, 4 declined, 5 not responded. */
    private static int status(String partStat) {
        return switch (partStat) {
            case "ACCEPTED" -> 3;
            case "TENTATIVE" -> 2;
            case "DECLINED" -> 4;
            default -> NOT_RESPONDED;
        };
    }

    /** ROLE as MS-ASCAL AttendeeType: 1 required, 2 optional, 3 resource. */
    private static int type(String role) {
        return switch (role) {
            case "OPT-PARTICIPANT" -> 2;
            case "NON-PARTICIPANT" -> 3;
            default -> 1;
        };
    }

    /** An existing calendar item with the response recorded: BusyStatus, ResponseType, the user's status. */
    static WbxmlElement withResponse(WbxmlElement data, String user, UserResponse response, Instant now) {
        WbxmlElement.Builder updated = WbxmlElement.el(data.tag());
        for (WbxmlElement child : data.children()) {
            if (!(child.page() == CodePage.CALENDAR && RESPONSE_ELEMENTS.contains(child.name()))) {
                updated.child(child);
            }
        }
        List<Invitation.Attendee> attendees = new ArrayList<>();
        WbxmlElement existing = data.child("Calendar:Attendees");
        if (existing != null) {
            for (WbxmlElement a : existing.children("Calendar:Attendee")) {
                String email = a.childText("Email");
                if (email != null && !email.isBlank()) {
                    attendees.add(new Invitation.Attendee(email.trim().toLowerCase(Locale.ROOT), a.childText("Name"),
                            partStat(a.childText("AttendeeStatus")), role(a.childText("AttendeeType")), false));
                }
            }
        }
        return updated.child("Calendar:BusyStatus", response.busyStatus())
                .child("Calendar:MeetingStatus", MEETING_RECEIVED)
                .child(attendees(attendees, user, response))
                .child("Calendar:ResponseRequested", 1)
                .child("Calendar:ResponseType", response.responseType())
                .child("Calendar:AppointmentReplyTime", COMPACT.format(now))
                .build();
    }

    private static String partStat(String attendeeStatus) {
        return switch (attendeeStatus == null ? "" : attendeeStatus.trim()) {
            case "2" -> "TENTATIVE";
            case "3" -> "ACCEPTED";
            case "4" -> "DECLINED";
            default -> "NEEDS-ACTION";
        };
    }

    private static String role(String attendeeType) {
        return switch (attendeeType == null ? "" : attendeeType.trim()) {
            case "2" -> "OPT-PARTICIPANT";
            case "3" -> "NON-PARTICIPANT";
            default -> "REQ-PARTICIPANT";
        };
    }

    /** The invitation a calendar item stands for, or empty when it has no UID or no valid StartTime. */
    static Optional<Invitation> toInvite(WbxmlElement data) {
        String uid = data.childText("Calendar:UID");
        Instant start = compact(data.childText("Calendar:StartTime"));
        if (uid == null || uid.isBlank() || start == null) {
            return Optional.empty();
        }
        Instant end = compact(data.childText("Calendar:EndTime"));
        String organizer = data.childText("Calendar:OrganizerEmail");
        String zone = data.childText("Calendar:Timezone");
        return Optional.of(new Invitation("", uid, 0, null, start, end == null ? start : end,
                "1".equals(data.childText("Calendar:AllDayEvent")), zone == null ? UTC_TIME_ZONE : zone,
                orEmpty(data.childText("Calendar:Subject")), data.childText("Calendar:Location"), null,
                organizer == null || organizer.isBlank() ? null : new Invitation.Person(
                        organizer.trim().toLowerCase(Locale.ROOT), data.childText("Calendar:OrganizerName")),
                List.of(), null, null, null, 2, 0, true, false));
    }

    /** The UID of a calendar item's ApplicationData, or {@code null}. */
    static String uid(WbxmlElement data) {
        return data.childText("Calendar:UID");
    }


    private static Instant compact(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.from(COMPACT.parse(value.trim()));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /** The Calendar time-zone tag (MS-ASWBXML token 0x05), whatever spelling the code page uses. */
    private static Tag timezoneTag() {
        for (Tag tag : CodePage.CALENDAR.tags()) {
            if (tag.name().equalsIgnoreCase("TimeZone")) {
                return tag;
            }
        }
        throw new IllegalStateException("no Calendar time zone tag");
    }
}
