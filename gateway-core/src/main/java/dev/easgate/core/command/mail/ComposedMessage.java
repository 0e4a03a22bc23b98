package dev.easgate.core.command.mail;

import java.util.List;
import java.util.Objects;

/**
 * A message ready to go out.
 *
 * @param delivered  what recipients get: Bcc removed
 * @param sentCopy   the sender's own copy for Sent Items: with Bcc
 * @param recipients every To, Cc and Bcc address, lower case, each once, in header order
 * @param messageId  its Message-ID header value
 */
public record ComposedMessage(byte[] delivered, byte[] sentCopy, List<String> recipients, String messageId) {
    public ComposedMessage {
        Objects.requireNonNull(delivered, "delivered");
        Objects.requireNonNull(sentCopy, "sentCopy");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(messageId, "messageId");
    }

    @Override
    public String toString() {
        return "ComposedMessage[" + delivered.length + " bytes, " + recipients.size() + " recipients]";
    }
}
