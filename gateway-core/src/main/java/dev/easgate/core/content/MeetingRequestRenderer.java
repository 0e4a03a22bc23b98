package dev.easgate.core.content;

import dev.easgate.backends.imip.GlobalObjId;
import dev.easgate.backends.imip.Invitation;
import dev.easgate.backends.imip.InvitationReader;
import dev.easgate.backends.ical.RecurrencePattern;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.Optional;

/**
 * MS-ASEMAIL 2.2.2.48 MeetingRequest: what a phone shows of a meeting request or cancellation mail and answers
 * with MeetingResponse, read from the mail's text/calendar part. Children in the schema's order; Email:Location
 * up to 14.1 and airsyncbase:Location from 16.0 (2.2.2.46), DisallowNewTimeProposal from 14.0 (2.2.2.27),
 * email2:MeetingMessageType from 14.1 (2.2.2.47). Times are dateTime values (MS-ASDTYPE 2.3), Reminder is in
 * seconds (2.2.2.63), TimeZone the event's zone (2.2.2.78), GlobalObjId built from the UID (2.2.2.37).
 */
final class MeetingRequestRenderer {
    /** MS-ASEMAIL 2.2.2.39 InstanceType: 0 single, 1 recurring master, 3 exception (one changed occurrence). */
    private static final int SINGLE = 0;
    private static final int RECURRING = 1;
    private static final int EXCEPTION = 3;

    private MeetingRequestRenderer() {
    }

    /** The MeetingRequest element of a REQUEST or CANCEL mail, or empty for any other mail. */
    static Optional<WbxmlElement> render(ParsedEmail parsed, ProtocolVersion version) {
        String method = parsed.calendarMethod();
        if (parsed.calendarText() == null || !("REQUEST".equals(method) || "CANCEL".equals(method))) {
            return Optional.empty();
        }
        return InvitationReader.read(parsed.calendarText()).map(invitation -> render(invitation, method, version));
    }

    static WbxmlElement render(Invitation invitation, String method, ProtocolVersion version) {
        WbxmlElement.Builder m = WbxmlElement.el(CodePage.EMAIL, "MeetingRequest");
        m.child("AllDayEvent", invitation.allDay() ? 1 : 0);
        m.child("StartTime", EmailRenderer.EAS_DATE.format(invitation.start()));
        m.child("DtStamp", EmailRenderer.EAS_DATE.format(
                invitation.dtStamp() == null ? invitation.start() : invitation.dtStamp()));
        m.child("EndTime", EmailRenderer.EAS_DATE.format(invitation.end()));
        boolean recurring = invitation.rrule() != null && invitation.recurrenceId() == null;
        m.child("InstanceType", invitation.recurrenceId() != null ? EXCEPTION : recurring ? RECURRING : SINGLE);
        if (invitation.location() != null && !invitation.location().isBlank()) {
            if (version.atLeast(ProtocolVersion.V16_0)) {
                m.child("AirSyncBase:Location", l -> l.child("DisplayName", invitation.location()));
            } else {
                m.child("Location", invitation.location());
            }
        }
        if (invitation.organizer() != null) {
            m.child("Organizer", invitation.organizer().display());
        }
        if (invitation.recurrenceId() != null) {
            m.child("RecurrenceId", EmailRenderer.EAS_DATE.format(invitation.recurrenceId()));
        }
        if (invitation.reminderMinutes() != null) {
            m.child("Reminder", invitation.reminderMinutes() * 60L);
        }
        m.child("ResponseRequested", invitation.responseRequested() && "REQUEST".equals(method) ? 1 : 0);
        if (recurring) {
            RecurrencePattern pattern = RecurrencePattern.of(invitation.rrule());
            m.child("Recurrences", list -> list.child("Recurrence", r -> {
                r.child("Type", pattern.type());
                r.child("Interval", pattern.interval() == null ? 1 : pattern.interval());
                if (pattern.until() != null) {
                    r.child("Until", EmailRenderer.EAS_DATE.format(pattern.until()));
                }
                r.optional("Occurrences", pattern.occurrences());
                r.optional("WeekOfMonth", pattern.weekOfMonth());
                r.optional("DayOfMonth", pattern.dayOfMonth());
                r.optional("DayOfWeek", pattern.dayOfWeek());
                r.optional("MonthOfYear", pattern.monthOfYear());
            }));
        }
        m.child("Sensitivity", invitation.sensitivity());
        m.child("BusyStatus", invitation.busyStatus());
        m.child("TimeZone", invitation.timeZone());
        m.child("GlobalObjId", GlobalObjId.base64(invitation.uid()));
        if (version.atLeast(ProtocolVersion.V14_0)) {
            m.child("DisallowNewTimeProposal", invitation.disallowNewTime() ? 1 : 0);
        }
        if (version.atLeast(ProtocolVersion.V14_1)) {
            m.child("Email2:MeetingMessageType", messageType(invitation, method));
        }
        return m.build();
    }

    /** MS-ASEMAIL 2.2.2.47: 1 a first request, 2 a full update (a later SEQUENCE), 0 unspecified (a cancel). */
    private static int messageType(Invitation invitation, String method) {
        if (!"REQUEST".equals(method)) {
            return 0;
        }
        return invitation.sequence() == 0 ? 1 : 2;
    }

}
