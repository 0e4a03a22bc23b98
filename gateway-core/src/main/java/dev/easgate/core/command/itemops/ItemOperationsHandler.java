package dev.easgate.core.command.itemops;

import dev.easgate.backends.mail.AttachmentSource;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.StoreFailures;
import dev.easgate.core.command.search.LongIds;
import dev.easgate.core.content.AttachmentReference;
import dev.easgate.core.content.BodyPreference;
import dev.easgate.core.content.ContentOptions;
import dev.easgate.core.content.ContentRenderer;
import dev.easgate.core.content.ParsedEmail;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ItemOperations (MS-ASCMD 2.2.1.10). Operations are answered in request order inside Response, each with its own
 * Status (2.2.3.177.8): 1 success, 2 protocol error, 3 server error, 6 object not found, 8 invalid byte range,
 * 9 unknown store, 15 invalid attachment reference, 156 action not supported (the conversation Move).
 *
 * <p>Fetch by airsync:CollectionId and airsync:ServerId renders the item with the request's BodyPreference and
 * MIMESupport, like Sync; Fetch by airsyncbase:FileReference returns the attachment's decoded bytes, the part given
 * by Options/Range ("m-n", zero-based, inclusive) when asked, with Total. Data is base64 text inside the WBXML
 * unless the client accepts a multipart response (the MS-ASAcceptMultiPart: T header, or the base64 query form's
 * flag, both carried to the handler as the AcceptMultiPart query parameter); then each Data becomes a Part index
 * into the multipart body (2.2.1.10.1).
 *
 * <p>Attachments: the FileReference a 12.0+ client got in AirSyncBase:Attachments, and the AttachmentName a 12.x
 * client would pass to GetAttachment (the same reference, possibly still percent-encoded as in the query string),
 * both name the attachment; a reference that is empty, malformed, or whose item or part is gone is 15. Fetch by
 * search:LongId answers a Search result (the LongId names folder and item) with its Class and Properties; an unknown
 * LongId is 6.
 */
public final class ItemOperationsHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ItemOperationsHandler.class);
    static final int SUCCESS = 1;
    static final int PROTOCOL_ERROR = 2;
    static final int SERVER_ERROR = 3;
    static final int NOT_FOUND = 6;
    static final int INVALID_RANGE = 8;
    static final int UNKNOWN_STORE = 9;
    static final int INVALID_ATTACHMENT = 15;
    static final int NOT_SUPPORTED = 156;

    private final MailStore store;
    /**
     * Decoded sizes of streamed attachments by user and FileReference, so a phone fetching range by range has the
     * part counted once. A reference names an IMAP part under its UID, whose content never changes. Bounded LRU.
     */
    private final Map<String, Long> streamedSizes = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                    return size() > 10_000;
                }
            });

    public ItemOperationsHandler(MailStore store) {
        this.store = store;
    }

    @Override
    public EasCommand command() {
        return EasCommand.ITEM_OPERATIONS;
    }

    /** What one request collects: the answers, and the data parts of a multipart response. */
    private static final class Answer {
        final boolean multipart;
        final List<byte[]> parts = new ArrayList<>();

        Answer(boolean multipart) {
            this.multipart = multipart;
        }

        /** Data as base64 text, or a Part index when multipart. */
        void data(WbxmlElement.Builder properties, byte[] bytes) {
            if (multipart) {
                parts.add(bytes);
                properties.child("ItemOperations:Part", parts.size());
            } else {
                properties.child("ItemOperations:Data", Base64.getEncoder().encodeToString(bytes));
            }
        }
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        if (body == null || !body.matches("ItemOperations:ItemOperations") || body.children().isEmpty()) {
            LOG.info("itemoperations refused user={} device={}: malformed request", request.user(),
                    request.deviceKey().deviceId());
            return Mono.just(CommandResponse.ok(WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations")
                    .child("Status", PROTOCOL_ERROR).build()));
        }
        Answer answer = new Answer("T".equalsIgnoreCase(request.query().parameter("AcceptMultiPart")));
        return Flux.fromIterable(body.children())
                .concatMap(operation -> operation(request, operation, answer))
                .collectList()
                .map(results -> {
                    WbxmlElement response = WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations")
                            .child("Status", SUCCESS)
                            .child("Response", r -> r.children(results))
                            .build();
                    if (answer.multipart) {
                        return CommandResponse.raw(MultipartResponse.encode(response, answer.parts),
                                MultipartResponse.CONTENT_TYPE);
                    }
                    return CommandResponse.ok(response);
                });
    }

    private Mono<WbxmlElement> operation(CommandRequest request, WbxmlElement operation, Answer answer) {
        String name = operation.tag().qualifiedName();
        Mono<WbxmlElement> result = switch (name) {
            case "ItemOperations:Fetch" -> fetch(request, operation, answer);
            case "ItemOperations:EmptyFolderContents" -> emptyFolder(request, operation);
            // MS-ASCMD 2.2.3.117.1: the conversation Move is 14.0+; before, it is an unknown operation
            case "ItemOperations:Move" -> request.version().atLeast(ProtocolVersion.V14_0)
                    ? conversationMove(request, operation) : unknown(request, name);
            default -> unknown(request, name);
        };
        return result.onErrorResume(MailStoreException.class, e -> Mono.just(
                WbxmlElement.el(operation.tag()).child("Status", e.kind() == MailStoreException.Kind.NOT_FOUND
                        ? NOT_FOUND : SERVER_ERROR).build()));
    }

    /** The 14.0+ conversation move (MS-ASCMD 2.2.3.117.1): not implemented by this gateway. */
    private static Mono<WbxmlElement> conversationMove(CommandRequest request, WbxmlElement operation) {
        refused(request, "conversation move is not supported");
        return Mono.just(WbxmlElement.el(CodePage.ITEM_OPERATIONS, "Move").child("Status", NOT_SUPPORTED)
                .optional("ConversationId", operation.childText("ItemOperations:ConversationId"))
                .build());
    }

    private static Mono<WbxmlElement> unknown(CommandRequest request, String name) {
        refused(request, "unknown operation " + name);
        return Mono.just(WbxmlElement.el(CodePage.ITEM_OPERATIONS, "Fetch").child("Status", PROTOCOL_ERROR).build());
    }

    private Mono<WbxmlElement> fetch(CommandRequest request, WbxmlElement fetch, Answer answer) {
        String storeName = fetch.childText("ItemOperations:Store");
        if (storeName == null || !storeName.strip().equalsIgnoreCase("Mailbox")) {
            refused(request, "fetch from an unsupported store");
            return Mono.just(fetchStatus(UNKNOWN_STORE).build());
        }
        if (fetch.child("AirSyncBase:FileReference") != null) {
            // MS-ASAIRS 2.2.2.24.1: a zero-length FileReference is status 15
            String fileReference = fetch.childText("AirSyncBase:FileReference");
            return attachment(request, fileReference == null ? "" : fileReference.strip(),
                    fetch.child("ItemOperations:Options"), answer);
        }
        ContentOptions options;
        try {
            options = contentOptions(request, fetch.child("ItemOperations:Options"));
        } catch (IllegalArgumentException e) {
            refused(request, "malformed fetch options");
            return Mono.just(fetchStatus(PROTOCOL_ERROR).build());
        }
        if (fetch.child("Search:LongId") != null) {
            return byLongId(request, fetch.childText("Search:LongId"), options);
        }
        String collectionId = fetch.childText("AirSync:CollectionId");
        String serverId = fetch.childText("AirSync:ServerId");
        if (collectionId == null || serverId == null) {
            refused(request, "fetch without CollectionId and ServerId");
            return Mono.just(fetchStatus(PROTOCOL_ERROR).build());
        }
        return store.item(request.user(), collectionId.strip(), serverId.strip())
                .map(item -> {
                    WbxmlElement data = ContentRenderer.applicationData(item, options);
                    return fetchStatus(SUCCESS)
                            .child("AirSync:CollectionId", item.folderId())
                            .child("AirSync:ServerId", item.id())
                            .optional("AirSync:Class", classOf(item, request.version()))
                            .child("Properties", p -> p.children(data.children()))
                            .build();
                })
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    refused(request, "fetch of an unknown item");
                    return fetchStatus(NOT_FOUND).child("AirSync:CollectionId", collectionId)
                            .child("AirSync:ServerId", serverId).build();
                }));
    }

    /**
     * Fetch of a Search result by its search:LongId (MS-ASCMD 2.2.3.98.1): the LongId names folder and item
     * ({@link LongIds}); the answer echoes the LongId with the item's Class and Properties. A LongId this gateway did
     * not issue, or whose item is gone, is 6 (object not found).
     */
    private Mono<WbxmlElement> byLongId(CommandRequest request, String longId, ContentOptions options) {
        String[] ids = LongIds.parse(longId);
        String echoed = longId == null ? "" : longId.strip();
        if (ids == null) {
            refused(request, "LongId not issued by this gateway");
            return Mono.just(fetchStatus(NOT_FOUND).child("Search:LongId", echoed).build());
        }
        return store.item(request.user(), ids[0], ids[1])
                .map(item -> {
                    WbxmlElement data = ContentRenderer.applicationData(item, options);
                    return fetchStatus(SUCCESS)
                            .child("Search:LongId", echoed)
                            .optional("AirSync:Class", classOf(item, request.version()))
                            .child("Properties", p -> p.children(data.children()))
                            .build();
                })
                .onErrorResume(MailStoreException.class, e -> Mono.just(fetchStatus(
                        e.kind() == MailStoreException.Kind.NOT_FOUND ? NOT_FOUND : SERVER_ERROR)
                        .child("Search:LongId", echoed).build()))
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    refused(request, "fetch of an unknown LongId");
                    return fetchStatus(NOT_FOUND).child("Search:LongId", echoed).build();
                }));
    }

    /**
     * The airsync:Class of a fetched item, or {@code null} when the value does not exist at the request's version:
     * MS-ASCMD 2.2.3.27.3 makes "Notes" valid only from 14.0 (Email, Contacts, Calendar, Tasks from 12.0), so a note
     * fetched by a 12.x client is answered without the (optional) Class.
     */
    static String classOf(Item item, ProtocolVersion version) {
        ItemClass itemClass = item.content().itemClass();
        if (itemClass == ItemClass.NOTES && !version.atLeast(ProtocolVersion.V14_0)) {
            return null;
        }
        return itemClass.easName();
    }

    /** MS-ASCMD 2.2.3.125.3 ItemOperations Options: BodyPreference and MIMESupport as in Sync. */
    private static ContentOptions contentOptions(CommandRequest request, WbxmlElement options) {
        if (options == null) {
            return ContentOptions.defaults(request.version());
        }
        List<BodyPreference> preferences = new ArrayList<>();
        for (WbxmlElement preference : options.children("AirSyncBase:BodyPreference")) {
            preferences.add(BodyPreference.parse(preference));
        }
        String mime = options.childText("AirSync:MIMESupport");
        return new ContentOptions(request.version(), preferences, mime == null ? 0 : Integer.parseInt(mime.strip()),
                -1, -1);
    }

    private Mono<WbxmlElement> attachment(CommandRequest request, String fileReference, WbxmlElement options,
                                          Answer answer) {
        AttachmentReference reference = AttachmentReference.parse(fileReference);
        if (reference == null) {
            refused(request, "invalid file reference");
            return Mono.just(fetchStatus(INVALID_ATTACHMENT).child("AirSyncBase:FileReference", fileReference)
                    .build());
        }
        String range = options == null ? null : options.childText("ItemOperations:Range");
        // a store that can fetch one MIME part (IMAP) does; others hand over the whole message to parse
        Mono<WbxmlElement> answered = store.attachmentSource()
                .map(source -> source.attachment(request.user(), reference.folderId(), reference.itemId(),
                                reference.partIndex())
                        .flatMap(part -> part.size() < 0 && range != null
                                ? streamedRange(request, part, fileReference, range, answer)
                                // the whole part is the answer: its decoded bytes are held for the WBXML
                                : part.bytes().map(bytes -> sliceAnswer(request, part.contentType(), bytes,
                                        fileReference, range, answer))))
                .orElseGet(() -> store.item(request.user(), reference.folderId(), reference.itemId())
                        .map(item -> attachmentAnswer(request, item, reference, fileReference, range, answer)));
        return answered
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    // the attachment's item is gone: the reference is no longer valid (15, not 6)
                    refused(request, "attachment of an unknown item");
                    return fetchStatus(INVALID_ATTACHMENT).child("AirSyncBase:FileReference", fileReference)
                            .build();
                }))
                .onErrorResume(MailStoreException.class, e -> Mono.just(fetchStatus(
                        e.kind() == MailStoreException.Kind.NOT_FOUND ? INVALID_ATTACHMENT : SERVER_ERROR)
                        .child("AirSyncBase:FileReference", fileReference).build()));
    }

    private WbxmlElement attachmentAnswer(CommandRequest request, Item item, AttachmentReference reference,
                                          String fileReference, String range, Answer answer) {
        if (!(item.content() instanceof ItemContent.Email email)) {
            return fetchStatus(INVALID_ATTACHMENT).child("AirSyncBase:FileReference", fileReference).build();
        }
        ParsedEmail parsed = ParsedEmail.parse(email.mime());
        ParsedEmail.Attachment attachment = parsed.attachments().stream()
                .filter(a -> a.partIndex() == reference.partIndex()).findFirst().orElse(null);
        byte[] bytes;
        try {
            bytes = attachment == null ? null : ParsedEmail.partBytes(email.mime(), reference.partIndex());
        } catch (Exception e) {
            bytes = null;
        }
        if (bytes == null) {
            refused(request, "file reference names no attachment");
            return fetchStatus(INVALID_ATTACHMENT).child("AirSyncBase:FileReference", fileReference).build();
        }
        return sliceAnswer(request, attachment.contentType(), bytes, fileReference, range, answer);
    }

    /** The attachment's bytes (the Range of them when asked) with its content type. */
    private WbxmlElement sliceAnswer(CommandRequest request, String contentType, byte[] bytes, String fileReference,
                                     String range, Answer answer) {
        int from = 0;
        int to = bytes.length - 1;
        if (range != null) {
            long[] bounds = parseRange(range.strip());
            if (!rangeFits(bounds, bytes.length)) {
                return invalidRange(request, fileReference);
            }
            from = (int) bounds[0];
            to = (int) Math.min(bounds[1], bytes.length - 1L);
        }
        byte[] slice = java.util.Arrays.copyOfRange(bytes, from, Math.max(from, to + 1));
        return rangeAnswer(contentType, slice, range == null ? null : from + "-" + to, bytes.length, fileReference,
                answer);
    }

    /** MS-ASCMD 2.2.3.143.2: best effort within the data; a range starting past it is status 8. */
    private static boolean rangeFits(long[] bounds, long total) {
        return bounds != null && (bounds[0] < total || total == 0);
    }

    private static WbxmlElement invalidRange(CommandRequest request, String fileReference) {
        refused(request, "invalid byte range");
        return fetchStatus(INVALID_RANGE).child("AirSyncBase:FileReference", fileReference).build();
    }

    private static WbxmlElement rangeAnswer(String contentType, byte[] data, String range, long total,
                                            String fileReference, Answer answer) {
        return fetchStatus(SUCCESS)
                .child("AirSyncBase:FileReference", fileReference)
                .child("Properties", p -> {
                    p.child("AirSyncBase:ContentType", contentType);
                    if (range != null) {
                        p.child("Range", range);
                    }
                    p.child("Total", total);
                    answer.data(p, data);
                })
                .build();
    }

    /**
     * A Range of a part the store streams (its size unknown until read): the decoded size is counted once by
     * reading the part through and remembered, then only the chunks up to the Range's end are read and only the
     * Range is held. Phones fetch large attachments range by range, so the node holds one range, not the file.
     */
    private Mono<WbxmlElement> streamedRange(CommandRequest request, AttachmentSource.Attachment part,
                                             String fileReference, String range, Answer answer) {
        long[] bounds = parseRange(range.strip());
        if (bounds == null) {
            return Mono.just(invalidRange(request, fileReference));
        }
        String key = request.user() + '\n' + fileReference;
        Long known = streamedSizes.get(key);
        Mono<Long> total = known != null ? Mono.just(known)
                : part.content().reduce(0L, (n, chunk) -> n + chunk.length)
                        .doOnNext(size -> streamedSizes.put(key, size));
        return total.flatMap(size -> {
            if (!rangeFits(bounds, size)) {
                return Mono.just(invalidRange(request, fileReference));
            }
            long from = bounds[0];
            long to = Math.min(bounds[1], size - 1);
            return window(part.content(), from, to).map(data -> rangeAnswer(part.contentType(), data,
                    from + "-" + to, size, fileReference, answer));
        });
    }

    /** Bytes {@code from..to} (inclusive) of a chunk stream, which is cancelled once they are read. */
    static Mono<byte[]> window(Flux<byte[]> chunks, long from, long to) {
        return Mono.defer(() -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(
                    (int) Math.min(Integer.MAX_VALUE - 8, Math.max(0, to - from + 1)));
            long[] position = {0};
            return chunks
                    .doOnNext(chunk -> {
                        long start = position[0];
                        int a = (int) Math.max(0, from - start);
                        int b = (int) Math.max(0, Math.min(chunk.length, to + 1 - start));
                        if (a < b) {
                            out.write(chunk, a, b - a);
                        }
                        position[0] = start + chunk.length;
                    })
                    .takeUntil(chunk -> position[0] > to)
                    .then(Mono.fromSupplier(out::toByteArray));
        });
    }

    /** "m-n" with m <= n, or {@code null}. */
    static long[] parseRange(String range) {
        int dash = range.indexOf('-');
        if (dash <= 0) {
            return null;
        }
        try {
            long from = Long.parseLong(range.substring(0, dash).strip());
            long to = Long.parseLong(range.substring(dash + 1).strip());
            return from < 0 || to < from ? null : new long[] {from, to};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** EmptyFolderContents (MS-ASCMD 2.2.3.58): every item of the folder, subfolders with DeleteSubFolders. */
    private Mono<WbxmlElement> emptyFolder(CommandRequest request, WbxmlElement operation) {
        String collectionId = operation.childText("AirSync:CollectionId");
        if (collectionId == null) {
            refused(request, "EmptyFolderContents without CollectionId");
            return Mono.just(WbxmlElement.el(CodePage.ITEM_OPERATIONS, "EmptyFolderContents")
                    .child("Status", PROTOCOL_ERROR).build());
        }
        WbxmlElement options = operation.child("ItemOperations:Options");
        boolean subfolders = options != null && options.child("ItemOperations:DeleteSubFolders") != null;
        String id = collectionId.strip();
        return store.emptyFolder(request.user(), id, subfolders)
                .then(Mono.just(SUCCESS))
                .onErrorResume(MailStoreException.class, e -> {
                    if (!StoreFailures.credentialsRefused(e)) { // a refused login: logged once by the store
                        refused(request, "EmptyFolderContents failed: " + e.kind());
                    }
                    return Mono.just(e.kind() == MailStoreException.Kind.NOT_FOUND ? NOT_FOUND : SERVER_ERROR);
                })
                .map(status -> WbxmlElement.el(CodePage.ITEM_OPERATIONS, "EmptyFolderContents")
                        .child("Status", status)
                        .child("AirSync:CollectionId", id)
                        .build());
    }

    private static WbxmlElement.Builder fetchStatus(int status) {
        return WbxmlElement.el(CodePage.ITEM_OPERATIONS, "Fetch").child("Status", status);
    }

    private static void refused(CommandRequest request, String reason) {
        LOG.info("itemoperations refused user={} device={}: {}", request.user(), request.deviceKey().deviceId(),
                reason);
    }

}
