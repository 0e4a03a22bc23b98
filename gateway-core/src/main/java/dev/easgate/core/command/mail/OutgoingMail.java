package dev.easgate.core.command.mail;

import dev.easgate.backends.auth.Account;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * The port through which composed messages leave: local delivery now, an SMTP relay later. Implementations never
 * block the caller's thread.
 */
public interface OutgoingMail {

    /**
     * Delivers {@code mime} (already final: From set, Bcc removed) to the envelope {@code recipients}.
     * Completes with what happened to each recipient; fails only when nothing could be submitted.
     */
    Mono<DeliveryReport> deliver(Account sender, List<String> recipients, byte[] mime);

    /**
     * What became of a message's recipients.
     *
     * @param deliveredLocally recipients that are accounts of this gateway, delivered to their Inbox
     * @param relayed          recipients handed to a relay for delivery elsewhere
     * @param notDelivered     recipients that could not be delivered (e.g. external with no relay configured)
     */
    record DeliveryReport(int deliveredLocally, int relayed, int notDelivered) {
        public DeliveryReport {
            if (deliveredLocally < 0 || relayed < 0 || notDelivered < 0) {
                throw new IllegalArgumentException("negative count");
            }
        }

        public DeliveryReport plus(DeliveryReport other) {
            Objects.requireNonNull(other, "other");
            return new DeliveryReport(deliveredLocally + other.deliveredLocally, relayed + other.relayed,
                    notDelivered + other.notDelivered);
        }
    }
}
