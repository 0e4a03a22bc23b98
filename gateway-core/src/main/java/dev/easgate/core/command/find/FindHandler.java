package dev.easgate.core.command.find;

import dev.easgate.backends.directory.Directory;
import dev.easgate.backends.directory.DirectoryEntry;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.search.GalProperties;
import dev.easgate.core.command.search.MailboxQuery;
import dev.easgate.core.command.search.MailboxSearch;
import dev.easgate.core.command.search.ResultRange;
import dev.easgate.core.content.EmailRenderer;
import dev.easgate.core.content.ParsedEmail;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Find (MS-ASCMD 2.2.1.2, protocol 16.1): SearchId, ExecuteSearch with a MailBoxSearchCriterion (Query: airsync:Class,
 * airsync:CollectionId, FreeText; Options: Range, DeepTraversal) or a GalSearchCriterion (Query FreeText as a name
 * or address prefix; Options: Range, Picture). The Response holds itemoperations:Store, Status, one Result per
 * match (mailbox: Class, ServerId, CollectionId and the Find properties Subject, DateReceived, DisplayTo, DisplayCc,
 * Importance, Read, From, Preview, HasAttachments; GAL: the gal: properties), Range and Total.
 *
 * <p>Status (2.2.3.177.2): 1; 2 for an invalid request (before 16.1, no SearchId, no or both criteria, blank
 * query, malformed Range or one past 0-999); 3 for a CollectionId the folder hierarchy does not hold (FolderSync
 * first); 4 for a Range not starting at 0 for a SearchId this
 * node has not answered before (a search must start with "0-n", 2.2.3.143.1).
 */
public final class FindHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(FindHandler.class);
    static final int SUCCESS = 1;
    static final int INVALID = 2;
    static final int FOLDER_SYNC_REQUIRED = 3;
    static final int START_WITH_ZERO = 4;
    private static final int MAX_INDEX = 999;
    private static final int PREVIEW = 255;
    private static final int REMEMBERED = 10_000;

    private final Directory directory;
    private final MailboxSearch mailbox;
    /** Searches answered, user + SearchId, so that later pages may start past 0. */
    private final Map<String, Boolean> started = new ConcurrentHashMap<>();

    public FindHandler(MailStore store, Directory directory) {
        this.directory = directory;
        this.mailbox = new MailboxSearch(store);
    }

    @Override
    public EasCommand command() {
        return EasCommand.FIND;
    }

    private static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Invalid(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        Mono<WbxmlElement> response;
        try {
            response = execute(request);
        } catch (Invalid e) {
            response = Mono.error(e);
        } catch (RuntimeException e) {
            response = Mono.error(new Invalid(INVALID, "malformed: " + e.getMessage()));
        }
        return response
                .map(r -> WbxmlElement.el(CodePage.FIND, "Find").child("Status", SUCCESS).child(r).build())
                .onErrorResume(Invalid.class, e -> {
                    LOG.info("find refused user={} device={}: {} (status {})", request.user(),
                            request.deviceKey().deviceId(), e.getMessage(), e.status);
                    WbxmlElement.Builder find = WbxmlElement.el(CodePage.FIND, "Find");
                    if (e.status == START_WITH_ZERO) {
                        find.child("Status", SUCCESS).child("Response", r -> r.child("Status", START_WITH_ZERO));
                    } else {
                        find.child("Status", e.status);
                    }
                    return Mono.just(find.build());
                })
                .map(CommandResponse::ok);
    }

    private Mono<WbxmlElement> execute(CommandRequest request) {
        WbxmlElement body = request.body();
        if (!request.version().atLeast(ProtocolVersion.V16_1)) {
            throw new Invalid(INVALID, "Find needs 16.1");
        }
        if (body == null || !body.matches("Find:Find")) {
            throw new Invalid(INVALID, "no Find");
        }
        String searchId = body.childText("Find:SearchId");
        WbxmlElement execute = body.child("Find:ExecuteSearch");
        if (searchId == null || searchId.isBlank() || execute == null) {
            throw new Invalid(INVALID, "no SearchId or ExecuteSearch");
        }
        WbxmlElement mail = execute.child("Find:MailBoxSearchCriterion");
        WbxmlElement gal = execute.child("Find:GalSearchCriterion");
        if ((mail == null) == (gal == null)) {
            throw new Invalid(INVALID, "exactly one search criterion is needed");
        }
        WbxmlElement criterion = mail != null ? mail : gal;
        WbxmlElement query = criterion.child("Find:Query");
        String freeText = query == null ? null : query.childText("Find:FreeText");
        if (freeText == null || freeText.isBlank()) {
            throw new Invalid(INVALID, "no FreeText");
        }
        WbxmlElement options = criterion.child("Find:Options");
        String rangeText = options == null ? null : options.childText("Find:Range");
        ResultRange range = rangeText == null ? ResultRange.DEFAULT : ResultRange.parse(rangeText);
        if (range == null || range.last() > MAX_INDEX) {
            throw new Invalid(INVALID, "malformed Range " + rangeText);
        }
        String key = request.user() + "\0" + searchId.strip();
        if (range.first() > 0 && !started.containsKey(key)) {
            throw new Invalid(START_WITH_ZERO, "Range " + range + " for a new search");
        }
        if (started.size() > REMEMBERED) {
            started.clear();
        }
        started.put(key, Boolean.TRUE);
        if (gal != null) {
            GalProperties.PictureRequest pictures = options == null ? null
                    : GalProperties.PictureRequest.of(options.child("Find:Picture"));
            return directory.search(freeText.strip(), MAX_INDEX + 1).collectList()
                    .map(entries -> galResponse(entries, range, pictures));
        }
        String collectionId = query.childText("AirSync:CollectionId");
        boolean deep = options != null && options.child("Find:DeepTraversal") != null;
        MailboxQuery mailboxQuery = new MailboxQuery(MailboxQuery.words(freeText),
                collectionId == null || collectionId.isBlank() ? null : collectionId.strip(), deep, null, null);
        return mailbox.run(request.user(), mailboxQuery)
                // 2.2.3.177.2: 3, the client's hierarchy is out of date
                .onErrorMap(MailboxSearch.UnknownFolderException.class,
                        e -> new Invalid(FOLDER_SYNC_REQUIRED, e.getMessage()))
                .map(hits -> mailResponse(hits, range));
    }

    private static WbxmlElement galResponse(List<DirectoryEntry> entries, ResultRange range,
                                            GalProperties.PictureRequest pictures) {
        WbxmlElement.Builder response = WbxmlElement.el(CodePage.FIND, "Response")
                .child("ItemOperations:Store", "GAL").child("Status", SUCCESS);
        ResultRange returned = range.within(entries.size());
        if (returned != null) {
            for (DirectoryEntry entry : entries.subList(returned.first(), returned.last() + 1)) {
                response.child("Result", r -> r.child("Properties", p -> GalProperties.write(p, entry, pictures)));
            }
            response.child("Range", returned.toString());
        }
        return response.child("Total", entries.size()).build();
    }

    private static WbxmlElement mailResponse(List<MailboxSearch.Hit> hits, ResultRange range) {
        WbxmlElement.Builder response = WbxmlElement.el(CodePage.FIND, "Response")
                .child("ItemOperations:Store", "Mailbox").child("Status", SUCCESS);
        ResultRange returned = range.within(hits.size());
        if (returned != null) {
            for (MailboxSearch.Hit hit : hits.subList(returned.first(), returned.last() + 1)) {
                ParsedEmail parsed = hit.parsed();
                response.child("Result", r -> r
                        .child("AirSync:Class", "Email")
                        .child("AirSync:ServerId", hit.item().id())
                        .child("AirSync:CollectionId", hit.item().folderId())
                        .child("Properties", p -> {
                            p.child("Email:Subject", parsed.subject())
                                    .child("Email:DateReceived", EmailRenderer.EAS_DATE.format(hit.item().date()))
                                    .child("Email:DisplayTo", parsed.displayTo())
                                    .child("DisplayCc", parsed.cc())
                                    .child("Email:Importance", parsed.importance())
                                    .child("Email:Read", hit.item().content() instanceof
                                            dev.easgate.backends.mail.ItemContent.Email e && e.flags().read()
                                            ? "1" : "0")
                                    .child("Email:From", parsed.from())
                                    .child("Preview", preview(parsed))
                                    .child("HasAttachments", parsed.attachments().isEmpty() ? 0 : 1);
                        }));
            }
            response.child("Range", returned.toString());
        }
        return response.child("Total", hits.size()).build();
    }

    private static String preview(ParsedEmail parsed) {
        String text = parsed.plainBody() != null ? parsed.plainBody()
                : parsed.htmlBody() == null ? "" : parsed.htmlBody().replaceAll("<[^>]*>", " ");
        text = text.replaceAll("\\s+", " ").strip();
        return text.length() <= PREVIEW ? text : text.substring(0, PREVIEW);
    }
}
