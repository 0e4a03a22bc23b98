package dev.easgate.core.command.resolve;

import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.directory.Directory;
import dev.easgate.backends.directory.DirectoryEntry;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.Item;
import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.command.search.GalProperties;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ResolveRecipients (MS-ASCMD 2.2.1.15): each To is matched against the directory (Type 1) and the user's
 * contacts (Type 2), by address or by name prefix.
 *
 * <p>Response Status (2.2.3.177.11): 1 one recipient, 2 ambiguous with every suggestion, 3 ambiguous with only
 * MaxAmbiguousRecipients of them, 4 nothing found. The top-level Status is 1, or 5 (protocol error) for a
 * malformed request: no To, more than 100 To (2.2.3.183: the server SHOULD answer a protocol error), a To over
 * 256 characters, a CertificateRetrieval outside 1..3, an Availability without valid StartTime/EndTime or with
 * EndTime not after StartTime; 6 (server error) when the directory or store fails or does not answer within
 * {@code search.timeout-seconds}. Availability (14.0+) of a uniquely resolved recipient carries Status 1 and
 * MergedFreeBusy from that account's calendar ({@link FreeBusy}), "4" slots for people who are not accounts of
 * this gateway, or Status 162 (retry later, no MergedFreeBusy) when the calendar cannot be read. Certificates carry
 * Status 1, or 7 when the recipient has none, 8 when there are more than MaxCertificates; with CertificateRetrieval
 * 2 every Certificate, with 3 one MiniCertificate (0..1 per 2.2.3.112). The compact encoding Exchange uses for mini
 * certificates is not published, so the MiniCertificate carries the recipient's first certificate in DER, which
 * S/MIME clients can encrypt to. Picture (14.1+) as in Search.
 */
public final class ResolveRecipientsHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ResolveRecipientsHandler.class);
    static final int SUCCESS = 1;
    static final int AMBIGUOUS = 2;
    static final int AMBIGUOUS_PARTIAL = 3;
    static final int NOT_RESOLVED = 4;
    static final int PROTOCOL_ERROR = 5;
    static final int SERVER_ERROR = 6;
    static final int FREE_BUSY_RETRY = 162;
    static final int NO_CERTIFICATE = 7;
    static final int CERTIFICATE_LIMIT = 8;
    static final int MAX_TO = 100;
    static final int MAX_TO_LENGTH = 256;
    private static final Pattern ADDRESS = Pattern.compile("<([^>]+)>");

    private final MailStore store;
    private final Directory directory;
    private final Accounts accounts;
    private final Duration timeout;

    public ResolveRecipientsHandler(MailStore store, Directory directory, Accounts accounts, Duration timeout) {
        this.store = store;
        this.directory = directory;
        this.accounts = accounts;
        this.timeout = timeout;
    }

    @Override
    public EasCommand command() {
        return EasCommand.RESOLVE_RECIPIENTS;
    }

    /** One candidate: type 1 GAL, 2 contact. */
    record Candidate(int type, String displayName, String email, DirectoryEntry entry) {
    }

    record Options(int certificateRetrieval, int maxCertificates, int maxAmbiguous, Instant start, Instant end,
                   GalProperties.PictureRequest pictures) {
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        List<String> to = body == null || !body.matches("ResolveRecipients:ResolveRecipients") ? List.of()
                : body.children("ResolveRecipients:To").stream().map(WbxmlElement::textOrOpaqueUtf8)
                .map(t -> t == null ? "" : t.strip()).toList();
        Options options;
        try {
            if (to.isEmpty() || to.size() > MAX_TO || to.stream().anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException(to.size() + " To elements");
            }
            if (to.stream().anyMatch(t -> t.length() > MAX_TO_LENGTH)) {
                throw new IllegalArgumentException("a To over " + MAX_TO_LENGTH + " characters");
            }
            options = options(request, body.child("ResolveRecipients:Options"));
        } catch (RuntimeException e) {
            LOG.info("resolverecipients refused user={} device={}: {}", request.user(),
                    request.deviceKey().deviceId(), e.getMessage());
            return Mono.just(CommandResponse.ok(WbxmlElement.el(CodePage.RESOLVE_RECIPIENTS, "ResolveRecipients")
                    .child("Status", PROTOCOL_ERROR).build()));
        }
        return contacts(request.user())
                .flatMap(contacts -> Flux.fromIterable(to)
                        .concatMap(name -> resolve(request, name, contacts, options))
                        .collectList())
                .timeout(timeout)
                .map(responses -> CommandResponse.ok(WbxmlElement.el(CodePage.RESOLVE_RECIPIENTS,
                                "ResolveRecipients")
                        .child("Status", SUCCESS)
                        .children(responses)
                        .build()))
                .onErrorResume(e -> {
                    LOG.warn("resolverecipients failed user={} device={}: {}", request.user(),
                            request.deviceKey().deviceId(), e instanceof java.util.concurrent.TimeoutException
                                    ? "no answer from the directory or store within " + timeout.toSeconds() + " s"
                                    : e.toString());
                    return Mono.just(CommandResponse.ok(WbxmlElement.el(CodePage.RESOLVE_RECIPIENTS,
                            "ResolveRecipients").child("Status", SERVER_ERROR).build()));
                });
    }

    private static Options options(CommandRequest request, WbxmlElement options) {
        if (options == null) {
            return new Options(1, -1, -1, null, null, null);
        }
        int retrieval = integer(options.childText("ResolveRecipients:CertificateRetrieval"), 1);
        if (retrieval < 1 || retrieval > 3) {
            throw new IllegalArgumentException("CertificateRetrieval " + retrieval);
        }
        Instant start = null;
        Instant end = null;
        WbxmlElement availability = options.child("ResolveRecipients:Availability");
        if (availability != null && request.version().atLeast(ProtocolVersion.V14_0)) {
            try {
                start = Instant.parse(String.valueOf(availability.childText("ResolveRecipients:StartTime")).strip());
                String endText = availability.childText("ResolveRecipients:EndTime");
                // 2.2.3.61.1: without EndTime the span is the seven days after StartTime
                end = endText == null ? start.plus(Duration.ofDays(7)) : Instant.parse(endText.strip());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("malformed Availability times");
            }
            // 2.2.3.61.1: status 5 when EndTime is less than 30 minutes after StartTime or the span is too long
            if (end.isBefore(start.plus(Duration.ofMinutes(30))) || Duration.between(start, end).toDays() > 62) {
                throw new IllegalArgumentException("Availability EndTime must be 30 minutes to 62 days after "
                        + "StartTime");
            }
        }
        GalProperties.PictureRequest pictures = request.version().atLeast(ProtocolVersion.V14_1)
                ? GalProperties.PictureRequest.of(options.child("ResolveRecipients:Picture")) : null;
        return new Options(retrieval, integer(options.childText("ResolveRecipients:MaxCertificates"), -1),
                integer(options.childText("ResolveRecipients:MaxAmbiguousRecipients"), -1), start, end, pictures);
    }

    private static int integer(String text, int fallback) {
        return text == null ? fallback : Integer.parseInt(text.strip());
    }

    /** The user's contacts as candidates (Type 2). */
    private Mono<List<Candidate>> contacts(String user) {
        return store.folders(user)
                .filter(f -> f.itemClass() == ItemClass.CONTACTS)
                .concatMap(folder -> items(user, folder))
                .flatMapIterable(ResolveRecipientsHandler::contactCandidates)
                .collectList();
    }

    private Flux<Item> items(String user, Folder folder) {
        return store.changesSince(user, folder.id(), 0).flatMapMany(changes -> {
            List<String> ids = changes.changed().stream().map(ItemVersion::id).toList();
            return ids.isEmpty() ? Flux.empty() : store.items(user, folder.id(), ids);
        });
    }

    static List<Candidate> contactCandidates(Item item) {
        if (!(item.content() instanceof ItemContent.Pim pim)) {
            return List.of();
        }
        WbxmlElement data = pim.applicationData();
        String first = data.childText("Contacts:FirstName");
        String last = data.childText("Contacts:LastName");
        String name = ((first == null ? "" : first) + " " + (last == null ? "" : last)).strip();
        if (name.isEmpty()) {
            name = data.childText("Contacts:FileAs") == null ? "" : data.childText("Contacts:FileAs");
        }
        List<Candidate> out = new ArrayList<>();
        for (String field : List.of("Contacts:Email1Address", "Contacts:Email2Address", "Contacts:Email3Address")) {
            String value = data.childText(field);
            if (value != null && !value.isBlank()) {
                Matcher m = ADDRESS.matcher(value);
                out.add(new Candidate(2, name.isEmpty() ? value : name, m.find() ? m.group(1).strip()
                        : value.strip(), null));
            }
        }
        return out;
    }

    private static boolean matches(Candidate contact, String query) {
        String q = query.toLowerCase(Locale.ROOT);
        if (contact.email().equalsIgnoreCase(query) || contact.email().toLowerCase(Locale.ROOT).startsWith(q)) {
            return true;
        }
        for (String word : contact.displayName().toLowerCase(Locale.ROOT).split("\\s+")) {
            if (word.startsWith(q)) {
                return true;
            }
        }
        return contact.displayName().toLowerCase(Locale.ROOT).startsWith(q);
    }

    private Mono<WbxmlElement> resolve(CommandRequest request, String to, List<Candidate> contacts,
                                       Options options) {
        Mono<List<Candidate>> gal = to.contains("@")
                ? directory.byAddress(to).map(e -> List.of(galCandidate(e))).defaultIfEmpty(List.of())
                : directory.search(to, 100).map(ResolveRecipientsHandler::galCandidate).collectList();
        return gal.map(found -> {
            Map<String, Candidate> byEmail = new LinkedHashMap<>();
            for (Candidate c : found) {
                byEmail.putIfAbsent(c.email().toLowerCase(Locale.ROOT), c);
            }
            for (Candidate c : contacts) {
                if (to.contains("@") ? c.email().equalsIgnoreCase(to) : matches(c, to)) {
                    byEmail.putIfAbsent(c.email().toLowerCase(Locale.ROOT), c);
                }
            }
            return new ArrayList<>(byEmail.values());
        }).flatMap(candidates -> {
            int count = candidates.size();
            int status = count == 0 ? NOT_RESOLVED : count == 1 ? SUCCESS
                    : options.maxAmbiguous() >= 0 && count > options.maxAmbiguous() ? AMBIGUOUS_PARTIAL : AMBIGUOUS;
            List<Candidate> shown = status == AMBIGUOUS_PARTIAL ? candidates.subList(0, options.maxAmbiguous())
                    : candidates;
            boolean unique = count == 1;
            return Flux.fromIterable(shown)
                    .concatMap(c -> recipient(c, unique, options))
                    .collectList()
                    .map(recipients -> WbxmlElement.el(CodePage.RESOLVE_RECIPIENTS, "Response")
                            .child("To", to)
                            .child("Status", status)
                            .child("RecipientCount", count)
                            .children(recipients)
                            .build());
        });
    }

    private static Candidate galCandidate(DirectoryEntry entry) {
        return new Candidate(1, entry.displayName(), entry.email(), entry);
    }

    /** The Availability of one recipient: Status, and MergedFreeBusy when it is known. */
    record Availability(int status, String merged) {
        static final Availability NOT_ASKED = new Availability(0, null);
    }

    private Mono<WbxmlElement> recipient(Candidate candidate, boolean unique, Options options) {
        Mono<Availability> freeBusy = unique && options.start() != null
                ? mergedFreeBusy(candidate.email(), options.start(), options.end())
                : Mono.just(Availability.NOT_ASKED);
        return freeBusy.map(availability -> {
            WbxmlElement.Builder r = WbxmlElement.el(CodePage.RESOLVE_RECIPIENTS, "Recipient")
                    .child("Type", candidate.type())
                    .child("DisplayName", candidate.displayName())
                    .child("EmailAddress", candidate.email());
            if (availability.status() != 0) {
                r.child("Availability", a -> {
                    a.child("Status", availability.status());
                    if (availability.merged() != null) {
                        a.child("MergedFreeBusy", availability.merged());
                    }
                });
            }
            if (options.certificateRetrieval() > 1) {
                r.child(certificates(candidate, options));
            }
            if (options.pictures() != null) {
                options.pictures().write(r, CodePage.RESOLVE_RECIPIENTS,
                        candidate.entry() == null ? null : candidate.entry().picture());
            }
            return r.build();
        });
    }

    private static WbxmlElement certificates(Candidate candidate, Options options) {
        List<byte[]> certs = candidate.entry() == null ? List.of() : candidate.entry().certificates();
        WbxmlElement.Builder c = WbxmlElement.el(CodePage.RESOLVE_RECIPIENTS, "Certificates");
        if (certs.isEmpty()) {
            return c.child("Status", NO_CERTIFICATE).child("CertificateCount", 0).build();
        }
        if (options.maxCertificates() >= 0 && certs.size() > options.maxCertificates()) {
            return c.child("Status", CERTIFICATE_LIMIT).child("CertificateCount", certs.size()).build();
        }
        c.child("Status", SUCCESS).child("CertificateCount", certs.size()).child("RecipientCount", 1);
        if (options.certificateRetrieval() == 2) {
            for (byte[] der : certs) {
                c.child("Certificate", Base64.getEncoder().encodeToString(der));
            }
        } else {
            c.child("MiniCertificate", Base64.getEncoder().encodeToString(certs.get(0)));
        }
        return c.build();
    }

    /**
     * The merged free/busy of the account at {@code address}, or "no data" when it is not one of ours; Status 162
     * (2.2.3.177.11: the free/busy data could not be read now, the client may ask again) when its calendar fails.
     */
    private Mono<Availability> mergedFreeBusy(String address, Instant start, Instant end) {
        return accounts.byAddress(address)
                .flatMap(account -> store.folders(account.user())
                        .filter(f -> f.itemClass() == ItemClass.CALENDAR)
                        .concatMap(f -> items(account.user(), f))
                        .collectList()
                        .map(items -> new Availability(SUCCESS, FreeBusy.merged(items, start, end))))
                .defaultIfEmpty(new Availability(SUCCESS, FreeBusy.noData(start, end)))
                .onErrorResume(e -> {
                    LOG.warn("resolverecipients: free/busy of {} unavailable: {}", address, e.toString());
                    return Mono.just(new Availability(FREE_BUSY_RETRY, null));
                });
    }
}
