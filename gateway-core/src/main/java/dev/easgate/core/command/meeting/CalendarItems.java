package dev.easgate.core.command.meeting;

import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The attendee's calendar item of a meeting as AirSync ApplicationData with MS-ASCAL elements, and the way back
 * from such an item to the invite it stands for.
 */
final class CalendarItems {
    /** MS-ASDTYPE 2.7.2 Compact DateTime (also the iCalendar UTC DATE-TIME form). */
    static final DateTimeFormatter COMPACT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** MS-ASCAL 2.2.2.29 MeetingStatus 3: a meeting the user was invited to (received). */
    static final int MEETING_RECEIVED = 3;
    /** Calendar Timezone (MS-ASCAL 2.2.2.42) of UTC: a TIME_ZONE_INFORMATION of zero bias, no daylight saving. */
    static final String UTC_TIME_ZONE = Base64.getEncoder().encodeToString(new byte[172]);
    /** The elements a response rewrites on an existing calendar item. */
    private static final Set<String> RESPONSE_ELEMENTS =
            Set.of("BusyStatus", "MeetingStatus", "ResponseType", "AppointmentReplyTime", "ResponseRequested");

    private CalendarItems() {
    }

    /** The ApplicationData of the meeting on the attendee's calendar after {@code response}. */
    static WbxmlElement fromInvite(MeetingInvite invite, UserResponse response, Instant now) {
        WbxmlElement.Builder data = WbxmlElement.el("AirSync:ApplicationData")
                .child(WbxmlElement.text(timezoneTag(), UTC_TIME_ZONE))
                .child("Calendar:DtStamp", COMPACT.format(now))
                .child("Calendar:StartTime", COMPACT.format(invite.start()))
                .child("Calendar:Subject", invite.summary())
                .child("Calendar:UID", invite.uid());
        if (invite.organizerEmail() != null) {
            data.child("Calendar:OrganizerName",
                    invite.organizerName() == null ? invite.organizerEmail() : invite.organizerName());
            data.child("Calendar:OrganizerEmail", invite.organizerEmail());
        }
        data.optional("Calendar:Location", invite.location())
                .child("Calendar:EndTime", COMPACT.format(invite.end()));
        if (invite.description() != null && !invite.description().isBlank()) {
            // AirSyncBase Body of Type 1, plain text (MS-ASAIRS 2.2.2.9)
            data.child("AirSyncBase:Body", b -> b.child("Type", 1).child("Data", invite.description()));
        }
        data.child("Calendar:Sensitivity", 0)
                .child("Calendar:BusyStatus", response.busyStatus())
                .child("Calendar:AllDayEvent", invite.allDay() ? 1 : 0)
                .child("Calendar:Reminder", invite.allDay() ? 0 : 15)
                .child("Calendar:MeetingStatus", MEETING_RECEIVED);
        if (!invite.attendees().isEmpty()) {
            data.child("Calendar:Attendees", list -> {
                for (MeetingInvite.Attendee attendee : invite.attendees()) {
                    // AttendeeType 1: required (MS-ASCAL 2.2.2.5)
                    list.child("Attendee", a -> a
                            .child("Email", attendee.email())
                            .child("Name", attendee.name() == null ? attendee.email() : attendee.name())
                            .child("AttendeeType", 1));
                }
            });
        }
        return data.child("Calendar:ResponseRequested", 1)
                .child("Calendar:ResponseType", response.responseType())
                .child("Calendar:AppointmentReplyTime", COMPACT.format(now))
                .build();
    }

    /** An existing calendar item with the response recorded: BusyStatus, ResponseType and reply time replaced. */
    static WbxmlElement withResponse(WbxmlElement data, UserResponse response, Instant now) {
        WbxmlElement.Builder updated = WbxmlElement.el(data.tag());
        for (WbxmlElement child : data.children()) {
            if (!(child.page() == CodePage.CALENDAR && RESPONSE_ELEMENTS.contains(child.name()))) {
                updated.child(child);
            }
        }
        return updated.child("Calendar:BusyStatus", response.busyStatus())
                .child("Calendar:MeetingStatus", MEETING_RECEIVED)
                .child("Calendar:ResponseRequested", 1)
                .child("Calendar:ResponseType", response.responseType())
                .child("Calendar:AppointmentReplyTime", COMPACT.format(now))
                .build();
    }

    /** The invite a calendar item stands for, or empty when it has no UID or no valid StartTime. */
    static Optional<MeetingInvite> toInvite(WbxmlElement data) {
        String uid = data.childText("Calendar:UID");
        Instant start = compact(data.childText("Calendar:StartTime"));
        if (uid == null || uid.isBlank() || start == null) {
            return Optional.empty();
        }
        Instant end = compact(data.childText("Calendar:EndTime"));
        String organizer = data.childText("Calendar:OrganizerEmail");
        return Optional.of(new MeetingInvite("", uid, 0, start, end == null ? start : end,
                "1".equals(data.childText("Calendar:AllDayEvent")),
                orEmpty(data.childText("Calendar:Subject")), data.childText("Calendar:Location"), null,
                organizer == null || organizer.isBlank() ? null : organizer.trim().toLowerCase(java.util.Locale.ROOT),
                data.childText("Calendar:OrganizerName"), List.of()));
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
