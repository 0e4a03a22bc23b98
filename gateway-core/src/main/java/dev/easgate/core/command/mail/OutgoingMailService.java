package dev.easgate.core.command.mail;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What SendMail, SmartReply and SmartForward share: find the source item, compose the outgoing message, deliver
 * it through {@link OutgoingMail}, keep a copy in Sent Items when asked, and record the reply or forward on the
 * source email (MS-ASEMAIL LastVerbExecuted / LastVerbExecutionTime). Refusals are {@link ComposeException}s.
 */
public final class OutgoingMailService {
    private static final Logger LOG = LoggerFactory.getLogger(OutgoingMailService.class);
    /** Messages up to this size are composed on the calling thread; bigger ones on the bounded elastic pool. */
    static final int INLINE_COMPOSE_LIMIT = 1 << 20;
    /** ClientIds remembered per gateway for MessagePreviouslySent (MS-ASCMD 2.2.3.28.1). */
    private static final int REMEMBERED_CLIENT_IDS = 10_000;
    /** MS-ASEMAIL LastVerbExecuted of a forward. */
    static final int VERB_FORWARD = 3;

    private final MailStore mailStore;
    private final OutgoingMail outgoing;
    private final Clock clock;
    private final MessageComposer composer = new MessageComposer();
    private final Map<String, Boolean> sentClientIds = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_CLIENT_IDS;
                }
            });

    public OutgoingMailService(MailStore mailStore, OutgoingMail outgoing, Clock clock) {
        this.mailStore = Objects.requireNonNull(mailStore, "mailStore");
        this.outgoing = Objects.requireNonNull(outgoing, "outgoing");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The service over {@link LocalDelivery}: mail between the gateway's own accounts, nothing else goes out. */
    public static OutgoingMailService local(Accounts accounts, MailStore mailStore, Clock clock) {
        return new OutgoingMailService(mailStore, new LocalDelivery(accounts, mailStore), clock);
    }

    public OutgoingMail outgoing() {
        return outgoing;
    }

    /**
     * Sends the message of {@code request} as {@code sender}. Completes empty on success; fails with a
     * {@link ComposeException} carrying the EAS status otherwise.
     */
    public Mono<Void> submit(Account sender, String deviceId, ComposeRequest request) {
        String clientKey = request.clientId() == null ? null
                : sender.user() + '\u0000' + deviceId + '\u0000' + request.clientId();
        if (clientKey != null && sentClientIds.containsKey(clientKey)) {
            return Mono.error(new ComposeException(ComposeStatus.MESSAGE_PREVIOUSLY_SENT, "ClientId already sent"));
        }
        Instant now = clock.instant();
        Mono<Optional<Item>> source = request.mode().hasSource()
                ? findSource(sender.user(), request.source()).map(Optional::of)
                : Mono.just(Optional.empty());
        return source
                .flatMap(item -> compose(sender, request, now, item.orElse(null))
                        .flatMap(message -> deliver(sender, message)
                                .then(request.saveInSent() ? saveCopy(sender.user(), message) : Mono.empty())
                                .then(markSource(sender.user(), request.mode(), item.orElse(null), message, now))))
                .doOnSuccess(done -> {
                    if (clientKey != null) {
                        sentClientIds.put(clientKey, Boolean.TRUE);
                    }
                })
                .onErrorMap(e -> !(e instanceof ComposeException), OutgoingMailService::asComposeException);
    }

    private static ComposeException asComposeException(Throwable e) {
        if (e instanceof MailStoreException store && (store.kind() == MailStoreException.Kind.UNAVAILABLE
                || store.kind() == MailStoreException.Kind.CREDENTIALS_REFUSED)) {
            // a refused login was logged once by the store
            return new ComposeException(ComposeStatus.SERVER_ERROR_RETRY_LATER, "store unavailable: " + store.kind());
        }
        LOG.warn("compose failed unexpectedly", e);
        return new ComposeException(ComposeStatus.SERVER_ERROR, e.getClass().getSimpleName());
    }

    /**
     * The item a SmartReply/SmartForward names: by FolderId and ItemId, or by ItemId alone in any mail folder.
     * A LongId alone names a Search result, which this gateway does not hand out yet: ItemNotFound (150).
     */
    Mono<Item> findSource(String user, ComposeRequest.SourceRef ref) {
        if (ref.itemId() == null) {
            return Mono.error(new ComposeException(ComposeStatus.ITEM_NOT_FOUND, "no source ItemId"));
        }
        Mono<Item> item = ref.folderId() != null
                ? mailStore.item(user, ref.folderId(), ref.itemId())
                : mailStore.folders(user)
                        .filter(folder -> folder.itemClass() == ItemClass.EMAIL)
                        .concatMap(folder -> mailStore.item(user, folder.id(), ref.itemId()))
                        .next();
        return item
                .onErrorMap(e -> e instanceof MailStoreException store
                                && store.kind() == MailStoreException.Kind.NOT_FOUND,
                        e -> new ComposeException(ComposeStatus.ITEM_NOT_FOUND, "source folder not found"))
                .switchIfEmpty(Mono.error(() -> new ComposeException(ComposeStatus.ITEM_NOT_FOUND,
                        "source item not found")));
    }

    private Mono<ComposedMessage> compose(Account sender, ComposeRequest request, Instant now, Item source) {
        // a calendar item as source (forwarding a meeting) has no MIME to quote or attach: the message goes as is
        byte[] original = source != null && source.content() instanceof ItemContent.Email email ? email.mime() : null;
        int size = request.mime().length + (original == null ? 0 : original.length);
        if (size <= INLINE_COMPOSE_LIMIT) {
            return Mono.fromCallable(() -> composer.compose(request.mime(), sender, now, request.mode(), original,
                    request.replaceMime()));
        }
        return Mono.fromCallable(() -> composer.compose(request.mime(), sender, now, request.mode(), original,
                        request.replaceMime()))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private Mono<Void> deliver(Account sender, ComposedMessage message) {
        return outgoing.deliver(sender, message.recipients(), message.delivered())
                .onErrorMap(e -> !(e instanceof ComposeException), e -> {
                    LOG.warn("delivery failed for user={}: {}", sender.user(), e.toString());
                    return new ComposeException(ComposeStatus.MAIL_SUBMISSION_FAILED, "delivery failed");
                })
                .doOnNext(report -> LOG.debug("user={} sent a message: {}", sender.user(), report))
                .then();
    }

    /** SaveInSentItems / SaveInSent=T: the sender's copy, read, with its Bcc header. */
    private Mono<Void> saveCopy(String user, ComposedMessage message) {
        return mailStore.folders(user)
                .filter(folder -> folder.type() == FolderType.SENT_ITEMS)
                .next()
                .flatMap(sent -> mailStore.add(user, sent.id(),
                        new ItemContent.Email(message.sentCopy(), EmailFlags.UNREAD.withRead(true))))
                .then()
                // the message is already out: a failed copy must not make the phone send it again
                .onErrorResume(e -> {
                    LOG.warn("user={}: Sent Items copy not saved: {}", user, e.toString());
                    return Mono.empty();
                });
    }

    /** Records the reply (1 to sender, 2 to all) or forward (3) on the source email (MS-ASEMAIL 2.2.2.40). */
    private Mono<Void> markSource(String user, ComposeMode mode, Item source, ComposedMessage message,
                                  Instant now) {
        if (source == null || !(source.content() instanceof ItemContent.Email email)) {
            return Mono.empty();
        }
        int verb = mode == ComposeMode.FORWARD ? VERB_FORWARD : composer.replyVerb(email.mime(), message.recipients());
        EmailFlags flags = email.flags().withLastVerb(verb, now);
        return mailStore.change(user, source.folderId(), source.id(), email.withFlags(flags))
                .then()
                .onErrorResume(e -> {
                    LOG.warn("user={}: last verb not recorded on the source item: {}", user, e.toString());
                    return Mono.empty();
                });
    }
}
