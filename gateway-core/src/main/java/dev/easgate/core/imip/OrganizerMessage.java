package dev.easgate.core.imip;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.dav.EventText;
import dev.easgate.wbxml.WbxmlElement;
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
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The iMIP message of an organizer's meeting (RFC 6047 2.4): multipart/alternative with a short text and the
 * text/calendar part of METHOD REQUEST or CANCEL, the event written by the CalDAV store's conversion with the
 * organizer filled in (a 16.x client sends no OrganizerEmail, MS-ASCAL 2.2.2.35), a SEQUENCE and, for CANCEL,
 * STATUS:CANCELLED (RFC 5546 3.2.5).
 */
final class OrganizerMessage {
    private static final Session SESSION = Session.getInstance(new Properties());
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
        try {
            MimeMessage message = new MimeMessage(SESSION) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    // never the default, which asks the local host name (a blocking lookup)
                    setHeader("Message-ID", "<" + UUID.randomUUID() + "@" + domainOf(organizer.primaryAddress())
                            + ">");
                }
            };
            message.setFrom(new InternetAddress(organizer.primaryAddress(), organizer.displayName(), "UTF-8"));
            List<InternetAddress> to = new ArrayList<>();
            for (String attendee : attendees) {
                to.add(new InternetAddress(attendee));
            }
            message.setRecipients(Message.RecipientType.TO, to.toArray(new InternetAddress[0]));
            String subject = data.childText("Calendar:Subject") == null ? "" : data.childText("Calendar:Subject");
            // the prefixes Exchange and Outlook write on a cancellation
            message.setSubject("CANCEL".equals(method) ? "Canceled: " + subject : subject, "UTF-8");
            message.setSentDate(Date.from(now));
            MimeBodyPart text = new MimeBodyPart();
            text.setText("CANCEL".equals(method) ? "This meeting has been canceled." : "This meeting has been updated.",
                    "UTF-8");
            MimeBodyPart calendar = new MimeBodyPart();
            String type = "text/calendar; method=" + method + "; charset=UTF-8";
            calendar.setDataHandler(new DataHandler(new ByteArrayDataSource(
                    calendar(method, data, uid, organizer, sequence, now).getBytes(StandardCharsets.UTF_8), type)));
            calendar.setHeader("Content-Type", type);
            message.setContent(new MimeMultipart("alternative", text, calendar));
            message.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return out.toByteArray();
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new IllegalArgumentException("cannot write a meeting " + method, e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a meeting " + method, e);
        }
    }

    private static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 || at == address.length() - 1 ? "easgate.invalid" : address.substring(at + 1);
    }
}
