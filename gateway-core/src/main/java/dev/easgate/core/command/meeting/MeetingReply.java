package dev.easgate.core.command.meeting;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.imip.Invitation;
import dev.easgate.core.imip.ImipMail;
import jakarta.mail.internet.InternetAddress;
import java.time.Instant;
import java.util.List;

/**
 * The iMIP reply of an attendee (RFC 6047 2.4, RFC 5546 3.2.3 METHOD:REPLY): a multipart/alternative message to
 * the organizer with a short text and a text/calendar part holding the VEVENT with the attendee's PARTSTAT.
 */
final class MeetingReply {
    private static final String CRLF = "\r\n";

    private MeetingReply() {
    }

    /** The REPLY calendar object (RFC 5545 text, CRLF lines folded at 75 octets). */
    static String calendar(Invitation invite, Account attendee, UserResponse response, Instant now) {
        StringBuilder ics = new StringBuilder();
        line(ics, "BEGIN:VCALENDAR");
        line(ics, "PRODID:-//easgate//EAS gateway//EN");
        line(ics, "VERSION:2.0");
        line(ics, "METHOD:REPLY");
        line(ics, "BEGIN:VEVENT");
        line(ics, "UID:" + invite.uid());
        line(ics, "SEQUENCE:" + invite.sequence());
        line(ics, "DTSTAMP:" + CalendarItems.COMPACT.format(now));
        if (invite.allDay()) {
            line(ics, "DTSTART;VALUE=DATE:" + CalendarItems.COMPACT.format(invite.start()).substring(0, 8));
            line(ics, "DTEND;VALUE=DATE:" + CalendarItems.COMPACT.format(invite.end()).substring(0, 8));
        } else {
            line(ics, "DTSTART:" + CalendarItems.COMPACT.format(invite.start()));
            line(ics, "DTEND:" + CalendarItems.COMPACT.format(invite.end()));
        }
        line(ics, "SUMMARY:" + escapeText(invite.summary()));
        line(ics, "ORGANIZER" + commonName(invite.organizer().name()) + ":mailto:" + invite.organizer().email());
        line(ics, "ATTENDEE;PARTSTAT=" + response.partStat() + commonName(attendee.displayName()) + ":mailto:"
                + attendee.primaryAddress());
        line(ics, "END:VEVENT");
        line(ics, "END:VCALENDAR");
        return ics.toString();
    }

    /** The whole reply message, from the attendee to the organizer. */
    static byte[] message(Invitation invite, Account attendee, UserResponse response, Instant now,
                          String comment) {
        String summary = attendee.displayName() + " has " + switch (response) {
            case ACCEPTED -> "accepted";
            case TENTATIVE -> "tentatively accepted";
            case DECLINED -> "declined";
        } + " this meeting.";
        List<InternetAddress> organizer = List.of(ImipMail.address(invite.organizer().email(),
                invite.organizer().name()));
        return ImipMail.write(attendee, organizer, response.subjectPrefix() + ": " + invite.summary(), now,
                comment == null || comment.isBlank() ? summary : comment + CRLF + CRLF + summary, "REPLY",
                calendar(invite, attendee, response, now));
    }

    private static String commonName(String name) {
        if (name == null || name.isBlank()) {
            return "";
        }
        // RFC 5545 3.1: a quoted parameter value cannot hold DQUOTE
        return ";CN=\"" + name.replace("\"", "'").replaceAll("[\\r\\n]", " ") + "\"";
    }

    /** RFC 5545 3.3.11: backslash, semicolon, comma and line breaks escaped. */
    static String escapeText(String text) {
        return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
                .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n");
    }

    /** Appends a content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 sequence. */
    static void line(StringBuilder out, String content) {
        int octets = 0;
        for (int i = 0; i < content.length(); ) {
            int codePoint = content.codePointAt(i);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (octets + size > 75) {
                out.append(CRLF).append(' ');
                octets = 1;
            }
            out.appendCodePoint(codePoint);
            octets += size;
            i += Character.charCount(codePoint);
        }
        out.append(CRLF);
    }
}
