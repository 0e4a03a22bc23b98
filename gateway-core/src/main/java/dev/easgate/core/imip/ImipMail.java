package dev.easgate.core.imip;

import dev.easgate.backends.auth.Account;
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
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * One iMIP message (RFC 6047 2.4) from a user: multipart/alternative with a short text and the text/calendar part of
 * its METHOD, as every meeting mail the gateway sends (an attendee's REPLY, an organizer's REQUEST or CANCEL).
 */
public final class ImipMail {
    private static final Session SESSION = Session.getInstance(new Properties());

    private ImipMail() {
    }

    /** An address for a header; one that is not an address is refused as the caller's invalid argument. */
    public static InternetAddress address(String email, String name) {
        try {
            return name == null || name.isBlank() ? new InternetAddress(email)
                    : new InternetAddress(email, name, "UTF-8");
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new IllegalArgumentException("not an address: " + email, e);
        }
    }

    /** The whole message, from {@code sender} to {@code to}. */
    public static byte[] write(Account sender, List<InternetAddress> to, String subject, Instant now, String text,
                               String method, String calendar) {
        try {
            MimeMessage message = new MimeMessage(SESSION) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    // never the default, which asks the local host name (a blocking lookup)
                    setHeader("Message-ID", "<" + UUID.randomUUID() + "@" + domainOf(sender.primaryAddress()) + ">");
                }
            };
            message.setFrom(address(sender.primaryAddress(), sender.displayName()));
            message.setRecipients(Message.RecipientType.TO, to.toArray(new InternetAddress[0]));
            message.setSubject(subject, "UTF-8");
            message.setSentDate(Date.from(now));
            MimeBodyPart textPart = new MimeBodyPart();
            textPart.setText(text, "UTF-8");
            MimeBodyPart calendarPart = new MimeBodyPart();
            String type = "text/calendar; method=" + method + "; charset=UTF-8";
            calendarPart.setDataHandler(new DataHandler(new ByteArrayDataSource(
                    calendar.getBytes(StandardCharsets.UTF_8), type)));
            calendarPart.setHeader("Content-Type", type);
            message.setContent(new MimeMultipart("alternative", textPart, calendarPart));
            message.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return out.toByteArray();
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot write a meeting " + method, e);
        }
    }

    private static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 || at == address.length() - 1 ? "easgate.invalid" : address.substring(at + 1);
    }
}
