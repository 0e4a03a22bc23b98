package dev.easgate.core.command.search;

import dev.easgate.backends.directory.Directory;
import dev.easgate.backends.directory.DirectoryEntry;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.StoreFailures;
import dev.easgate.core.content.BodyPreference;
import dev.easgate.core.content.ContentOptions;
import dev.easgate.core.content.ContentRenderer;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Search (MS-ASCMD 2.2.1.16) over the GAL and the mailbox.
 *
 * <p>Store GAL: Query is a prefix of a name or address, Options Range ("0-99" by default, at most 100 results) and, from 14.1, Picture
 * (MaxSize, MaxPictures) with gal:Picture Status 1 / 173 no photo / 174 too large / 175 too many.
 * Store Mailbox (12.0+): Query And of airsync:Class, airsync:CollectionId (also as EqualTo), FreeText and
 * GreaterThan / LessThan on email:DateReceived; Options Range, DeepTraversal, RebuildResults (results are always
 * rebuilt: nothing is cached), BodyPreference and MIMESupport; each Result carries Class, LongId, CollectionId
 * and the email's properties rendered like Sync.
 *
 * <p>Statuses (MS-ASCMD 2.2.3.177.13): Search/Status is 1 unless the server fails (3); Store/Status is 1, 2 for an
 * invalid request (no or blank query, malformed Range or date, a store name the protocol does not know, Mailbox
 * before 12.0), 8 for a query too complex (Or, nested And), 10 when the store or directory does not answer within
 * {@code search.timeout-seconds}, 11 for a CollectionId the client's folder hierarchy no longer matches (FolderSync
 * first), 12 for a Range that starts past the end of the results, 13 for DocumentLibrary (12.0+): this gateway
 * blocks all access to UNC shares and SharePoint libraries, 3 when the store fails.
 */
public final class SearchHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SearchHandler.class);
    static final int SUCCESS = 1;
    static final int INVALID_REQUEST = 2;
    static final int SERVER_ERROR = 3;
    static final int TOO_COMPLEX = 8;
    static final int TIMED_OUT = 10;
    static final int FOLDER_SYNC_REQUIRED = 11;
    static final int END_OF_RANGE = 12;
    static final int ACCESS_BLOCKED = 13;

    private final MailStore store;
    private final Directory directory;
    private final MailboxSearch mailbox;
    private final int maxResults;
    private final Duration timeout;

    public SearchHandler(MailStore store, Directory directory, int maxResults, Duration timeout) {
        this.store = store;
        this.directory = directory;
        this.mailbox = new MailboxSearch(store);
        this.maxResults = maxResults;
        this.timeout = timeout;
    }

    @Override
    public EasCommand command() {
        return EasCommand.SEARCH;
    }

    /** A request the handler refuses with a Store status. */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        WbxmlElement store = body == null || !body.matches("Search:Search") ? null : body.child("Search:Store");
        Mono<WbxmlElement> answer;
        try {
            if (store == null) {
                throw new Refusal(INVALID_REQUEST, "no Store");
            }
            String name = store.childText("Search:Name");
            name = name == null ? "" : name.strip();
            if (name.equalsIgnoreCase("GAL")) {
                answer = gal(request, store);
            } else if (name.equalsIgnoreCase("Mailbox")) {
                if (!request.version().atLeast(ProtocolVersion.V12_0)) {
                    throw new Refusal(INVALID_REQUEST, "Mailbox search needs 12.0 or later");
                }
                answer = mailbox(request, store);
            } else if (name.equalsIgnoreCase("DocumentLibrary") && request.version().atLeast(ProtocolVersion.V12_0)) {
                // 2.2.3.177.13: 13, access blocked; a hosting gateway never reaches into UNC shares or SharePoint
                throw new Refusal(ACCESS_BLOCKED, "document libraries are not served");
            } else {
                throw new Refusal(INVALID_REQUEST, "store '" + name + "' is not a Search store of "
                        + request.version().header());
            }
        } catch (Refusal r) {
            answer = Mono.error(r);
        } catch (RuntimeException malformed) {
            answer = Mono.error(new Refusal(INVALID_REQUEST, "malformed: " + malformed.getMessage()));
        }
        return answer
                .timeout(timeout, Mono.error(() -> new Refusal(TIMED_OUT, "no answer from the store within "
                        + timeout.toSeconds() + " s")))
                .onErrorResume(Refusal.class, r -> {
                    LOG.info("search refused user={} device={}: {} (status {})", request.user(),
                            request.deviceKey().deviceId(), r.getMessage(), r.status);
                    return Mono.just(storeStatus(r.status).build());
                })
                .onErrorResume(e -> !(e instanceof Refusal), e -> {
                    if (StoreFailures.credentialsRefused(e)) { // logged once by the store; Store Status 3
                        LOG.debug("search failed user={} device={}: {}", request.user(),
                                request.deviceKey().deviceId(), e.toString());
                        return Mono.just(storeStatus(SERVER_ERROR).build());
                    }
                    LOG.warn("search failed user={} device={}: {}", request.user(), request.deviceKey().deviceId(),
                            e.toString());
                    return Mono.just(storeStatus(SERVER_ERROR).build());
                })
                .map(storeElement -> CommandResponse.ok(WbxmlElement.el(CodePage.SEARCH, "Search")
                        .child("Status", SUCCESS)
                        .child("Response", r -> r.child(storeElement))
                        .build()));
    }

    private static WbxmlElement.Builder storeStatus(int status) {
        return WbxmlElement.el(CodePage.SEARCH, "Store").child("Status", status);
    }

    /** The Range of Options (or the default), capped to the server's maximum. */
    ResultRange range(WbxmlElement options) {
        String text = options == null ? null : options.childText("Search:Range");
        ResultRange range = text == null ? ResultRange.DEFAULT : ResultRange.parse(text);
        if (range == null) {
            throw new Refusal(INVALID_REQUEST, "malformed Range '" + text + "'");
        }
        if (range.size() > maxResults) {
            range = new ResultRange(range.first(), range.first() + maxResults - 1);
        }
        return range;
    }

    // ---- GAL ----------------------------------------------------------------------------------------------------

    private Mono<WbxmlElement> gal(CommandRequest request, WbxmlElement store) {
        WbxmlElement query = store.child("Search:Query");
        String prefix = query == null ? null : query.textOrOpaqueUtf8();
        if (prefix == null || prefix.isBlank()) {
            throw new Refusal(INVALID_REQUEST, "GAL search without a query");
        }
        WbxmlElement options = store.child("Search:Options");
        ResultRange range = range(options);
        GalProperties.PictureRequest pictures = options != null && request.version().atLeast(ProtocolVersion.V14_1)
                ? GalProperties.PictureRequest.of(options.child("Search:Picture")) : null;
        return directory.search(prefix.strip(), Math.max(maxResults, range.last() + 1)).collectList()
                .map(entries -> galStore(entries, range, pictures));
    }

    private static WbxmlElement galStore(List<DirectoryEntry> entries, ResultRange range,
                                         GalProperties.PictureRequest pictures) {
        if (entries.isEmpty()) {
            return storeStatus(SUCCESS).empty("Result").child("Total", 0).build();
        }
        ResultRange returned = range.within(entries.size());
        if (returned == null) {
            throw new Refusal(END_OF_RANGE, "Range " + range + " starts past " + entries.size() + " results");
        }
        WbxmlElement.Builder out = storeStatus(SUCCESS);
        for (DirectoryEntry entry : entries.subList(returned.first(), returned.last() + 1)) {
            out.child("Result", r -> r.child("Properties", p -> GalProperties.write(p, entry, pictures)));
        }
        return out.child("Range", returned.toString()).child("Total", entries.size()).build();
    }

    // ---- Mailbox ------------------------------------------------------------------------------------------------

    private Mono<WbxmlElement> mailbox(CommandRequest request, WbxmlElement store) {
        WbxmlElement query = store.child("Search:Query");
        if (query == null || query.children().isEmpty()) {
            throw new Refusal(INVALID_REQUEST, "Mailbox search without a query");
        }
        WbxmlElement options = store.child("Search:Options");
        ResultRange range = range(options);
        boolean deep = options != null && options.child("Search:DeepTraversal") != null;
        MailboxQuery parsed = parseQuery(query, deep);
        ContentOptions content = contentOptions(request, options);
        return mailbox.run(request.user(), parsed)
                // 2.2.3.177.13: 11, the client names a folder its hierarchy should no longer hold
                .onErrorMap(MailboxSearch.UnknownFolderException.class,
                        e -> new Refusal(FOLDER_SYNC_REQUIRED, e.getMessage()))
                .map(hits -> {
                    if (hits.isEmpty()) {
                        return storeStatus(SUCCESS).empty("Result").child("Total", 0).build();
                    }
                    ResultRange returned = range.within(hits.size());
                    if (returned == null) {
                        throw new Refusal(END_OF_RANGE, "Range " + range + " starts past " + hits.size()
                                + " results");
                    }
                    WbxmlElement.Builder out = storeStatus(SUCCESS);
                    for (MailboxSearch.Hit hit : hits.subList(returned.first(), returned.last() + 1)) {
                        WbxmlElement data = ContentRenderer.applicationData(hit.item(), content);
                        out.child("Result", r -> r
                                .child("AirSync:Class", "Email")
                                .child("LongId", LongIds.format(hit.item().folderId(), hit.item().id()))
                                .child("AirSync:CollectionId", hit.item().folderId())
                                .child("Properties", p -> p.children(data.children())));
                    }
                    return out.child("Range", returned.toString()).child("Total", hits.size()).build();
                });
    }

    /** Reads And / FreeText / Class / CollectionId / EqualTo / GreaterThan / LessThan; Or is too complex. */
    static MailboxQuery parseQuery(WbxmlElement query, boolean deep) {
        List<WbxmlElement> terms = query.children();
        if (terms.size() == 1 && terms.get(0).matches("Search:And")) {
            terms = terms.get(0).children();
        }
        List<String> words = new ArrayList<>();
        String collectionId = null;
        Instant after = null;
        Instant before = null;
        for (WbxmlElement term : terms) {
            String name = term.tag().qualifiedName();
            switch (name) {
                case "AirSync:Class" -> {
                    if (!"Email".equals(text(term))) {
                        throw new Refusal(INVALID_REQUEST, "only Email can be searched, not " + text(term));
                    }
                }
                case "AirSync:CollectionId" -> collectionId = text(term);
                case "Search:FreeText" -> words.addAll(MailboxQuery.words(text(term)));
                case "Search:ConversationId" -> throw new Refusal(INVALID_REQUEST, "ConversationId is not indexed");
                case "Search:EqualTo" -> {
                    if (term.child("AirSync:CollectionId") == null) {
                        throw new Refusal(INVALID_REQUEST, "EqualTo on an unsupported property");
                    }
                    collectionId = term.childText("Search:Value");
                    if (collectionId == null) {
                        collectionId = text(term.child("AirSync:CollectionId"));
                    }
                }
                case "Search:GreaterThan" -> after = date(term);
                case "Search:LessThan" -> before = date(term);
                case "Search:Or", "Search:And" -> throw new Refusal(TOO_COMPLEX, name + " inside the query");
                default -> throw new Refusal(INVALID_REQUEST, "unknown query element " + name);
            }
        }
        if (collectionId != null && collectionId.isBlank()) {
            collectionId = null;
        }
        return new MailboxQuery(words, collectionId == null ? null : collectionId.strip(), deep, after, before);
    }

    private static String text(WbxmlElement element) {
        String text = element == null ? null : element.textOrOpaqueUtf8();
        return text == null ? "" : text.strip();
    }

    private static Instant date(WbxmlElement comparison) {
        if (comparison.child("Email:DateReceived") == null) {
            throw new Refusal(INVALID_REQUEST, "comparison on a property other than DateReceived");
        }
        String value = comparison.childText("Search:Value");
        try {
            return Instant.parse(value == null ? "" : value.strip());
        } catch (DateTimeParseException e) {
            throw new Refusal(INVALID_REQUEST, "malformed date '" + value + "'");
        }
    }

    static ContentOptions contentOptions(CommandRequest request, WbxmlElement options) {
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
}
