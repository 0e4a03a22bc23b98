package dev.easgate.core.command.meeting;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.imip.Invitation;
import dev.easgate.backends.imip.InvitationReader;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.mail.OutgoingMail;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.ParseException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * MeetingResponse (MS-ASCMD 2.2.1.11): every Request is answered by one Result with RequestId, Status
 * (2.2.3.177.9) and, unless declined, the CalendarId of the attendee's calendar item.
 *
 * <p>The RequestId names either
 * <ul>
 * <li>a meeting request email (in the Inbox or any mail folder): its text/calendar METHOD:REQUEST part is read,
 *     the calendar item with the same UID is created or updated in the user's Calendar (declining removes it), and
 *     the request email goes to Deleted Items, as Exchange does once a request is answered; or</li>
 * <li>a calendar item of a meeting the user was invited to: its response is recorded (declining removes it).</li>
 * </ul>
 *
 * <p>The reply to the organizer: up to 14.1 the client sends it itself with SendMail (2.2.1.11), so the server
 * sends nothing; from 16.0 the server sends the iMIP REPLY when the request holds SendResponse (2.2.3.163), through
 * the {@link OutgoingMail} port (local delivery when the organizer is an account of this gateway).
 *
 * <p>Statuses: 2 for a request that cannot be answered (not a meeting request, the user organizes it, bad
 * UserResponse, InstanceId on an email or before 16.0, LongId which this gateway does not hand out); 3 for a
 * mailbox failure; 4 for a transient server failure.
 */
public final class MeetingResponseHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingResponseHandler.class);
    static final int SUCCESS = 1;
    static final int INVALID_REQUEST = 2;
    static final int MAILBOX_ERROR = 3;
    static final int SERVER_ERROR = 4;

    private final MailStore mailStore;
    private final OutgoingMail outgoing;
    private final Clock clock;
    private final Session session = Session.getInstance(new Properties());

    public MeetingResponseHandler(MailStore mailStore, OutgoingMail outgoing, Clock clock) {
        this.mailStore = Objects.requireNonNull(mailStore, "mailStore");
        this.outgoing = Objects.requireNonNull(outgoing, "outgoing");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public EasCommand command() {
        return EasCommand.MEETING_RESPONSE;
    }

    /** One Result: RequestId as the client sent it, Status, CalendarId or {@code null}. */
    record Result(String requestId, int status, String calendarId) {
    }

    /** A request refused with a status; the message is a reason for the log (no addresses or subjects). */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        Refusal(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        if (body == null || !body.matches("MeetingResponse:MeetingResponse")
                || body.children("Request").isEmpty()) {
            LOG.info("MeetingResponse refused for user={} device={}: no Request", request.user(),
                    request.query().deviceId());
            return Mono.just(response(List.of(new Result(null, INVALID_REQUEST, null))));
        }
        return mailStore.folders(request.user())
                .collectMap(Folder::id, Function.identity())
                .flatMapMany(folders -> Flux.fromIterable(body.children("Request"))
                        .concatMap(r -> respond(request, r, folders)))
                .collectList()
                .map(MeetingResponseHandler::response);
    }

    private Mono<Result> respond(CommandRequest request, WbxmlElement r, Map<String, Folder> folders) {
        String requestId = r.childText("RequestId");
        return Mono.defer(() -> respondOrRefuse(request, r, requestId, folders))
                .onErrorResume(e -> {
                    int status = e instanceof Refusal refusal ? refusal.status
                            : e instanceof MailStoreException store
                                    && store.kind() != MailStoreException.Kind.UNAVAILABLE
                                    && store.kind() != MailStoreException.Kind.CREDENTIALS_REFUSED ? MAILBOX_ERROR
                            : SERVER_ERROR;
                    if (status == SERVER_ERROR && !(e instanceof MailStoreException)) {
                        LOG.warn("MeetingResponse failed for user={}", request.user(), e);
                    }
                    LOG.info("MeetingResponse refused for user={} device={}: status {} ({})", request.user(),
                            request.query().deviceId(), status, e.getMessage());
                    return Mono.just(new Result(requestId, status, null));
                });
    }

    private Mono<Result> respondOrRefuse(CommandRequest request, WbxmlElement r, String requestId,
                                         Map<String, Folder> folders) {
        UserResponse answer = UserResponse.of(r.childText("UserResponse"));
        if (answer == null) {
            throw new Refusal(INVALID_REQUEST, "UserResponse is not 1, 2 or 3");
        }
        if (r.child("Search:LongId") != null || r.child("LongId") != null) {
            throw new Refusal(INVALID_REQUEST, "LongId is not supported");
        }
        String instanceId = r.childText("InstanceId");
        if (instanceId != null && !request.version().atLeast(ProtocolVersion.V16_0)) {
            throw new Refusal(INVALID_REQUEST, "InstanceId before 16.0");
        }
        String collectionId = r.childText("CollectionId");
        if (requestId == null || collectionId == null || !folders.containsKey(collectionId)) {
            throw new Refusal(INVALID_REQUEST, "unknown CollectionId or no RequestId");
        }
        // 16.x: the server sends the reply only when asked (MS-ASCMD 2.2.3.163 SendResponse)
        WbxmlElement sendResponse = request.version().atLeast(ProtocolVersion.V16_0) ? r.child("SendResponse") : null;
        String comment = sendResponse == null ? null : sendResponse.child("Body") == null ? null
                : sendResponse.child("Body").childText("Data");
        Account user = request.account();
        Instant now = clock.instant();
        return mailStore.item(user.user(), collectionId, requestId)
                .switchIfEmpty(Mono.error(() -> new Refusal(INVALID_REQUEST, "no such item")))
                .flatMap(item -> {
                    if (item.content() instanceof ItemContent.Email email) {
                        if (instanceId != null) {
                            throw new Refusal(INVALID_REQUEST, "InstanceId on a meeting request email");
                        }
                        Invitation invite = inviteOf(email.mime());
                        checkAttendee(invite, user);
                        return answerEmail(user, item, invite, answer, folders, now)
                                .flatMap(calendarId -> reply(sendResponse, invite, user, answer, now, comment)
                                        .thenReturn(calendarId));
                    }
                    if (item.content() instanceof ItemContent.Pim pim && pim.itemClass() == ItemClass.CALENDAR) {
                        Invitation invite = CalendarItems.toInvite(pim.applicationData())
                                .orElseThrow(() -> new Refusal(INVALID_REQUEST, "calendar item without UID"));
                        checkAttendee(invite, user);
                        return answerCalendarItem(user, item, pim, answer, now)
                                .flatMap(calendarId -> reply(sendResponse, invite, user, answer, now, comment)
                                        .thenReturn(calendarId));
                    }
                    throw new Refusal(INVALID_REQUEST, "not a meeting request or calendar item");
                })
                .map(calendarId -> new Result(requestId, SUCCESS, calendarId.orElse(null)));
    }

    /** The user must be an attendee: a meeting they organize cannot be answered (MS-ASCMD 2.2.3.177.9, 2). */
    private static void checkAttendee(Invitation invite, Account user) {
        if (invite.organizer() == null) {
            throw new Refusal(INVALID_REQUEST, "no organizer: not a meeting");
        }
        if (invite.organizedBy(user.primaryAddress())) {
            throw new Refusal(INVALID_REQUEST, "the user organizes this meeting");
        }
    }

    /** The METHOD:REQUEST invite of a meeting request email. */
    Invitation inviteOf(byte[] mime) {
        String calendar;
        try {
            calendar = calendarText(new MimeMessage(session, new ByteArrayInputStream(mime)));
        } catch (MessagingException | IOException e) {
            throw new Refusal(INVALID_REQUEST, "unreadable MIME");
        }
        if (calendar == null) {
            throw new Refusal(INVALID_REQUEST, "no text/calendar part");
        }
        Invitation invite = InvitationReader.read(calendar)
                .orElseThrow(() -> new Refusal(INVALID_REQUEST, "no VEVENT with UID and DTSTART"));
        if (!invite.method().isEmpty() && !invite.method().equals("REQUEST")) {
            throw new Refusal(INVALID_REQUEST, "METHOD " + invite.method() + " is not a request");
        }
        return invite;
    }

    /** The first text/calendar (or application/ics) part, decoded with its charset. */
    static String calendarText(Part part) throws MessagingException, IOException {
        if (part.isMimeType("text/calendar") || part.isMimeType("application/ics")) {
            byte[] bytes = part.getInputStream().readAllBytes();
            return new String(bytes, charset(part.getContentType()));
        }
        if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                String found = calendarText(multipart.getBodyPart(i));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static Charset charset(String contentType) {
        try {
            String name = new ContentType(contentType).getParameter("charset");
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (ParseException | IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /**
     * Records the answer to a request email: the calendar item of the UID is created or updated (or removed on
     * decline) and the request moves to Deleted Items. Completes with the calendar item's id, empty on decline.
     */
    private Mono<Optional<String>> answerEmail(Account user, Item request, Invitation invite, UserResponse answer,
                                               Map<String, Folder> folders, Instant now) {
        Folder calendar = folders.values().stream().filter(f -> f.type() == FolderType.CALENDAR).findFirst()
                .orElseThrow(() -> new MailStoreException(MailStoreException.Kind.NOT_FOUND, "no Calendar folder"));
        Mono<Optional<String>> calendarItem = findByUid(user.user(), calendar.id(), invite.uid())
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(existing -> {
                    if (answer == UserResponse.DECLINED) {
                        return existing.map(item -> mailStore.delete(user.user(), calendar.id(), item.id()))
                                .orElse(Mono.empty())
                                .thenReturn(Optional.<String>empty());
                    }
                    ItemContent.Pim content = new ItemContent.Pim(ItemClass.CALENDAR,
                            CalendarItems.fromInvite(invite, user.primaryAddress(), answer, now));
                    Mono<Item> saved = existing
                            .map(item -> mailStore.change(user.user(), calendar.id(), item.id(), content))
                            .orElseGet(() -> mailStore.add(user.user(), calendar.id(), content));
                    return saved.map(item -> Optional.of(item.id()));
                });
        return calendarItem.flatMap(id -> removeRequest(user.user(), request, folders).thenReturn(id));
    }

    /** The answered request leaves the Inbox: to Deleted Items, or gone when there is none. */
    private Mono<Void> removeRequest(String user, Item request, Map<String, Folder> folders) {
        Optional<Folder> deleted = folders.values().stream()
                .filter(f -> f.type() == FolderType.DELETED_ITEMS).findFirst();
        if (deleted.isPresent() && !deleted.get().id().equals(request.folderId())) {
            return mailStore.move(user, request.folderId(), request.id(), deleted.get().id()).then();
        }
        return mailStore.delete(user, request.folderId(), request.id());
    }

    /** Records the answer on a calendar item; declining removes it. */
    private Mono<Optional<String>> answerCalendarItem(Account user, Item item, ItemContent.Pim pim,
                                                      UserResponse answer, Instant now) {
        if (answer == UserResponse.DECLINED) {
            return mailStore.delete(user.user(), item.folderId(), item.id()).thenReturn(Optional.empty());
        }
        ItemContent.Pim updated = new ItemContent.Pim(ItemClass.CALENDAR,
                CalendarItems.withResponse(pim.applicationData(), user.primaryAddress(), answer, now));
        return mailStore.change(user.user(), item.folderId(), item.id(), updated).map(saved -> Optional.of(saved.id()));
    }

    /** The calendar item with this UID, or empty. Reads the whole folder: fine for the stores there are now. */
    private Mono<Item> findByUid(String user, String calendarId, String uid) {
        return mailStore.changesSince(user, calendarId, 0)
                .flatMapMany(changes -> mailStore.items(user, calendarId,
                        changes.changed().stream().map(ItemVersion::id).toList()))
                .filter(item -> item.content() instanceof ItemContent.Pim pim
                        && uid.equals(CalendarItems.uid(pim.applicationData())))
                .next();
    }

    /** Sends the iMIP REPLY when the 16.x client asked for it; a failed send is logged, the answer stands. */
    private Mono<Void> reply(WbxmlElement sendResponse, Invitation invite, Account user, UserResponse answer,
                             Instant now, String comment) {
        if (sendResponse == null) {
            return Mono.empty();
        }
        byte[] mime = MeetingReply.message(invite, user, answer, now, comment);
        return outgoing.deliver(user, List.of(invite.organizer().email()), mime)
                .then()
                .onErrorResume(e -> {
                    LOG.warn("user={}: meeting reply not sent: {}", user.user(), e.toString());
                    return Mono.empty();
                });
    }

    /** MeetingResponse with one Result per Request: RequestId, Status, CalendarId (MS-ASCMD 2.2.3.155.2). */
    static CommandResponse response(List<Result> results) {
        WbxmlElement.Builder root = WbxmlElement.el(CodePage.MEETING_RESPONSE, "MeetingResponse");
        for (Result result : results) {
            root.child("Result", r -> {
                r.optional("RequestId", result.requestId());
                r.child("Status", result.status());
                r.optional("CalendarId", result.calendarId());
            });
        }
        return CommandResponse.ok(root.build());
    }
}
