package dev.easgate.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The invitation mails of src/test/resources/imip (written for these tests in the shapes Outlook/Exchange,
 * Thunderbird and Google Calendar send), with {UID}, {ORGANIZER} and {ATTENDEE} filled in, also inside their
 * base64 parts.
 */
public final class InvitationMail {
    /** A base64 body: from the blank line after its header to the next boundary line. */
    private static final Pattern BASE64_PART = Pattern.compile(
            "(Content-Transfer-Encoding: base64\r\n(?:[^\r\n]+\r\n)*\r\n)([A-Za-z0-9+/=\r\n]+?)(\r\n--)");

    private InvitationMail() {
    }

    public static byte[] load(String name, String uid, String organizer, String attendee) {
        String text;
        try (InputStream in = InvitationMail.class.getResourceAsStream("/imip/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture imip/" + name);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher part = BASE64_PART.matcher(text);
        StringBuilder out = new StringBuilder();
        while (part.find()) {
            String decoded = new String(Base64.getMimeDecoder().decode(part.group(2)), StandardCharsets.UTF_8);
            String encoded = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(fill(decoded, uid, organizer, attendee).getBytes(StandardCharsets.UTF_8));
            part.appendReplacement(out, Matcher.quoteReplacement(part.group(1) + encoded + part.group(3)));
        }
        part.appendTail(out);
        return fill(out.toString(), uid, organizer, attendee).getBytes(StandardCharsets.UTF_8);
    }

    private static String fill(String text, String uid, String organizer, String attendee) {
        return text.replace("{UID}", uid).replace("{ORGANIZER}", organizer).replace("{ATTENDEE}", attendee);
    }
}
