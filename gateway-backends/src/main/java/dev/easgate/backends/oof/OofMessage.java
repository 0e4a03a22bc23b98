package dev.easgate.backends.oof;

import java.util.Objects;

/**
 * One audience's Out of Office message (MS-ASCMD 2.2.3.123 OofMessage).
 *
 * @param audience whom it answers
 * @param enabled  whether a reply goes to that audience (Enabled 1)
 * @param reply    the reply's text (ReplyMessage), "" when none
 * @param bodyType {@code Text} or {@code HTML} (BodyType), as the phone sent it
 */
public record OofMessage(OofAudience audience, boolean enabled, String reply, String bodyType) {
    public OofMessage {
        Objects.requireNonNull(audience, "audience");
        reply = reply == null ? "" : reply;
        bodyType = bodyType == null || bodyType.isBlank() ? "Text" : bodyType;
    }

    /** Whether the reply is HTML rather than plain text. */
    public boolean html() {
        return bodyType.equalsIgnoreCase("HTML");
    }
}
