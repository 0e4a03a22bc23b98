package dev.easgate.core.imip;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.dav.EventText;
import dev.easgate.wbxml.WbxmlElement;
import jakarta.mail.internet.InternetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The iMIP message of an organizer's meeting (RFC 6047 2.4): multipart/alternative with a short text and the
 * text/calendar part of METHOD REQUEST or CANCEL, the event written by the CalDAV store's conversion with the
 * organizer filled in (a 16.x client sends no OrganizerEmail, MS-ASCAL 2.2.2.35), a SEQUENCE and, for CANCEL,
 * STATUS:CANCELLED (RFC 5546 3.2.5).
 */
final class OrganizerMessage {
    private static final Pattern REPLACED = Pattern.compile("(?m)^(SEQUENCE|STATUS|METHOD)[:;].*\r\n");

    private OrganizerMessage() {
    }

    /** The calendar object: the event with METHOD, SEQUENCE and, when cancelled, STATUS. */
    static String calendar(String method, WbxmlElement data, String uid, Account organizer, int sequence,
                           Instant now) {
        String text = EventText.of(withOrganizer(data, organizer), uid, now).replace("\r\n", "\n")
                .replace("\n", "\r\n");
        text = REPLACED.matcher(text).replaceAll("");
        String eventEnd = "SEQUENCE:" + sequence + "\r\n" + ("CANCEL".equals(method) ? "STATUS:CANCELLED\r\n" : "")
                + "END:VEVENT\r\n";
        return text.replaceFirst("BEGIN:VCALENDAR\r\n", "BEGIN:VCALENDAR\r\nMETHOD:" + method + "\r\n")
                .replace("END:VEVENT\r\n", eventEnd);
    }

    /** The item with Calendar:OrganizerEmail and OrganizerName of the user when it has none. */
    private static WbxmlElement withOrganizer(WbxmlElement data, Account organizer) {
        String email = data.childText("Calendar:OrganizerEmail");
        if (email != null && !email.isBlank()) {
            return data;
        }
        List<WbxmlElement> children = new ArrayList<>();
        for (WbxmlElement child : data.children()) {
            if (!child.matches("Calendar:OrganizerName")) {
                children.add(child);
            }
        }
        children.add(WbxmlElement.el("Calendar:OrganizerName").text(organizer.displayName()).build());
        children.add(WbxmlElement.el("Calendar:OrganizerEmail").text(organizer.primaryAddress()).build());
        return WbxmlElement.parent(data.tag(), children);
    }

    /** The whole message from the organizer to {@code attendees}. */
    static byte[] message(String method, WbxmlElement data, String uid, Account organizer, List<String> attendees,
                          int sequence, Instant now) {
        List<InternetAddress> to = new ArrayList<>();
        for (String attendee : attendees) {
            to.add(ImipMail.address(attendee, null));
        }
        String subject = data.childText("Calendar:Subject") == null ? "" : data.childText("Calendar:Subject");
        boolean cancel = "CANCEL".equals(method);
        // the prefix Exchange and Outlook write on a cancellation
        return ImipMail.write(organizer, to, cancel ? "Canceled: " + subject : subject, now,
                cancel ? "This meeting has been canceled." : "This meeting has been updated.", method,
                calendar(method, data, uid, organizer, sequence, now));
    }
}
