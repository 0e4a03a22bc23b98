package dev.easgate.core.command.mail;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Delivers to the accounts of this gateway only: every recipient that {@link Accounts#byAddress} knows gets the
 * message, unread, in their Inbox. There is no SMTP relay yet, so other recipients are <em>not delivered</em>: they
 * are counted and logged (the count only, never the addresses) and the send still succeeds for the local ones.
 */
public final class LocalDelivery implements OutgoingMail {
    private static final Logger LOG = LoggerFactory.getLogger(LocalDelivery.class);

    private final Accounts accounts;
    private final MailStore mailStore;

    public LocalDelivery(Accounts accounts, MailStore mailStore) {
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.mailStore = Objects.requireNonNull(mailStore, "mailStore");
    }

    @Override
    public Mono<DeliveryReport> deliver(Account sender, List<String> recipients, byte[] mime) {
        return Flux.fromIterable(recipients)
                .distinct(address -> address.toLowerCase(java.util.Locale.ROOT))
                .concatMap(address -> accounts.byAddress(address)
                        .flatMap(local -> toInbox(local, mime).thenReturn(new DeliveryReport(1, 0, 0)))
                        .defaultIfEmpty(new DeliveryReport(0, 0, 1)))
                .reduce(new DeliveryReport(0, 0, 0), DeliveryReport::plus)
                .doOnNext(report -> {
                    if (report.notDelivered() > 0) {
                        LOG.info("user={}: {} recipient(s) not delivered: no SMTP relay configured ({} local)",
                                sender.user(), report.notDelivered(), report.deliveredLocally());
                    }
                });
    }

    /** Puts {@code mime} unread into the recipient's Inbox (NOT_FOUND in the Mono when there is none). */
    public Mono<Void> toInbox(Account recipient, byte[] mime) {
        return mailStore.folders(recipient.user())
                .filter(folder -> folder.type() == FolderType.INBOX)
                .next()
                .switchIfEmpty(Mono.error(() -> new MailStoreException(MailStoreException.Kind.NOT_FOUND,
                        "no Inbox for user " + recipient.user())))
                .flatMap(inbox -> mailStore.add(recipient.user(), inbox.id(),
                        new ItemContent.Email(mime, EmailFlags.UNREAD)))
                .then();
    }
}
