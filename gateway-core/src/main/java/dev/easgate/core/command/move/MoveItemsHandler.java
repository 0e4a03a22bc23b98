package dev.easgate.core.command.move;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.StoreFailures;
import dev.easgate.core.command.sync.KnownItems;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * MoveItems (MS-ASCMD 2.2.1.12): every Move element is answered by one Response with its own Status
 * (2.2.3.177.10); moves are independent, so one that fails does not stop the others. They run one after another,
 * in request order, so that the responses keep that order. A moved item is recorded as the device's own
 * ({@link KnownItems}): its next Sync neither deletes nor adds what it moved itself.
 */
public final class MoveItemsHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MoveItemsHandler.class);
    /** Common status 103 InvalidXML (MS-ASCMD 2.2.2) in the top-level Status for a body that is not MoveItems. */
    static final int INVALID_XML = 103;

    private final MailStore mailStore;
    private final KnownItems knownItems;

    public MoveItemsHandler(MailStore mailStore, KnownItems knownItems) {
        this.mailStore = Objects.requireNonNull(mailStore, "mailStore");
        this.knownItems = Objects.requireNonNull(knownItems, "knownItems");
    }

    @Override
    public EasCommand command() {
        return EasCommand.MOVE_ITEMS;
    }

    /** One Move element of the request (MS-ASCMD 2.2.3.117.2); a missing child is {@code null}. */
    public record Move(String srcMsgId, String srcFldId, String dstFldId) {
        static Move of(WbxmlElement move) {
            return new Move(blankToNull(move.childText("SrcMsgId")), blankToNull(move.childText("SrcFldId")),
                    blankToNull(move.childText("DstFldId")));
        }
    }

    /** The answer to one Move: its status and, on success, the item's new id. */
    public record Outcome(String srcMsgId, MoveStatus status, String dstMsgId) {
        public Outcome {
            Objects.requireNonNull(status, "status");
            if ((status == MoveStatus.SUCCESS) != (dstMsgId != null)) {
                throw new IllegalArgumentException("DstMsgId goes with success and only with it");
            }
        }

        static Outcome failed(Move move, MoveStatus status) {
            return new Outcome(move.srcMsgId(), status, null);
        }
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        if (body == null || !body.matches("Move:MoveItems")) {
            LOG.info("MoveItems refused for user={} device={}: no MoveItems body", request.user(),
                    request.query().deviceId());
            return Mono.just(CommandResponse.ok(WbxmlElement.el(CodePage.MOVE, "MoveItems")
                    .child("Status", INVALID_XML).build()));
        }
        List<Move> moves = body.children("Move").stream().map(Move::of).toList();
        String user = request.user();
        return mailStore.folders(user)
                .collectMap(Folder::id, Function.identity())
                .flatMapMany(folders -> Flux.fromIterable(moves)
                        .concatMap(move -> move(request.deviceKey(), move, folders)))
                .collectList()
                // the folder list failed on a refused login (logged once by the store): every move is 7,
                // a transient condition the client retries (MS-ASCMD 2.2.3.177.10)
                .onErrorResume(StoreFailures::credentialsRefused, e -> Mono.just(moves.stream()
                        .map(move -> Outcome.failed(move, MoveStatus.LOCKED)).toList()))
                .map(MoveItemsHandler::response);
    }

    private Mono<Outcome> move(DeviceKey device, Move move, Map<String, Folder> folders) {
        MoveStatus refusal = check(move, folders);
        if (refusal != null) {
            return Mono.just(Outcome.failed(move, refusal));
        }
        String user = device.user();
        return mailStore.move(user, move.srcFldId(), move.srcMsgId(), move.dstFldId())
                .flatMap(moved -> knownItems.moved(device, move.srcFldId(), move.srcMsgId(), move.dstFldId(),
                                moved.id(), moved.modSeq())
                        .onErrorResume(e -> {
                            // the move happened; the device merely gets a delete and an add it does not need
                            LOG.warn("move of user={} device={} not recorded in its sync state: {}", user,
                                    device.deviceId(), e.toString());
                            return Mono.empty();
                        })
                        .thenReturn(new Outcome(move.srcMsgId(), MoveStatus.SUCCESS, moved.id())))
                .switchIfEmpty(Mono.fromSupplier(() -> Outcome.failed(move, MoveStatus.INVALID_SOURCE)))
                .onErrorResume(MailStoreException.class, e -> {
                    LOG.debug("move refused by the store for user={}: {}", user, e.getMessage());
                    return Mono.just(Outcome.failed(move, MoveStatus.of(e.kind())));
                });
    }

    /**
     * The status of a move that cannot be done, judged from the folder list alone, or {@code null} when the store
     * should try it: an unknown source folder or a missing item id is 1, an unknown destination 2, the same folder
     * 4, a destination of another item class 5 (MS-ASCMD 2.2.3.177.10).
     */
    public static MoveStatus check(Move move, Map<String, Folder> folders) {
        if (move.srcMsgId() == null || move.srcFldId() == null || !folders.containsKey(move.srcFldId())) {
            return MoveStatus.INVALID_SOURCE;
        }
        if (move.dstFldId() == null || !folders.containsKey(move.dstFldId())) {
            return MoveStatus.INVALID_DESTINATION;
        }
        if (move.srcFldId().equals(move.dstFldId())) {
            return MoveStatus.SAME_FOLDER;
        }
        if (folders.get(move.srcFldId()).itemClass() != folders.get(move.dstFldId()).itemClass()) {
            return MoveStatus.FAILURE;
        }
        return null;
    }

    /** MoveItems with one Response per move: SrcMsgId, Status, DstMsgId (MS-ASCMD 2.2.3.153.5). */
    static CommandResponse response(List<Outcome> outcomes) {
        WbxmlElement.Builder root = WbxmlElement.el(CodePage.MOVE, "MoveItems");
        for (Outcome outcome : outcomes) {
            root.child("Response", r -> {
                r.optional("SrcMsgId", outcome.srcMsgId());
                r.child("Status", outcome.status().code());
                r.optional("DstMsgId", outcome.dstMsgId());
            });
        }
        return CommandResponse.ok(root.build());
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
