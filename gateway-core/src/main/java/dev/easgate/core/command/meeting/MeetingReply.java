package dev.easgate.core.command.meeting;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.imip.Invitation;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import java.util.UUID;

/**
 * The iMIP reply of an attendee (RFC 6047 2.4, RFC 5546 3.2.3 METHOD:REPLY): a multipart/alternative message to
 * the organizer with a short text and a text/calendar part holding the VEVENT with the attendee's PARTSTAT.
 */
final class MeetingReply {
    private static final String CRLF = "\r\n";
    private static final Session SESSION = Session.getInstance(new Properties());

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
        try {
            MimeMessage message = new MimeMessage(SESSION) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    // never the default, which asks the local host name (a blocking lookup)
                    setHeader("Message-ID", "<" + UUID.randomUUID() + "@" + domainOf(attendee.primaryAddress())
                            + ">");
                }
            };
            message.setFrom(new InternetAddress(attendee.primaryAddress(), attendee.displayName(), "UTF-8"));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress(invite.organizer().email(),
                    invite.organizer().name(), "UTF-8"));
            message.setSubject(response.subjectPrefix() + ": " + invite.summary(), "UTF-8");
            message.setSentDate(Date.from(now));
            MimeBodyPart text = new MimeBodyPart();
            String summary = attendee.displayName() + " has " + switch (response) {
                case ACCEPTED -> "accepted";
                case TENTATIVE -> "tentatively accepted";
                case DECLINED -> "declined";
            } + " this meeting.";
            text.setText(comment == null || comment.isBlank() ? summary : comment + CRLF + CRLF + summary, "UTF-8");
            MimeBodyPart calendar = new MimeBodyPart();
            String type = "text/calendar; method=REPLY; charset=UTF-8";
            calendar.setDataHandler(new DataHandler(new ByteArrayDataSource(
                    calendar(invite, attendee, response, now).getBytes(StandardCharsets.UTF_8), type)));
            calendar.setHeader("Content-Type", type);
            message.setContent(new MimeMultipart("alternative", text, calendar));
            message.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return out.toByteArray();
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot write a meeting reply", e);
        }
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

    private static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 || at == address.length() - 1 ? "easgate.invalid" : address.substring(at + 1);
    }
}
