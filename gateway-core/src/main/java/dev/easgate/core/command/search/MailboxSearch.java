package dev.easgate.core.command.search;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailSearch;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.Item;
import dev.easgate.core.content.ParsedEmail;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Runs a {@link MailboxQuery} over a user's store: picks the email folders (one, one with its subfolders, or all),
 * reads their items and keeps those whose received date and text match, newest first. A store with a
 * {@link MailSearch} (IMAP) searches each folder itself and only the hits are read. MIME parsing is CPU work
 * and runs on the parallel scheduler, off the event loop.
 */
public final class MailboxSearch {
    /** A matching email with its parsed form. */
    public record Hit(Item item, ParsedEmail parsed) {
    }

    /** The folder named by the query does not exist or holds no email. */
    public static final class UnknownFolderException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownFolderException(String id) {
            super("no email folder " + id, null, false, false);
        }
    }

    private final MailStore store;

    public MailboxSearch(MailStore store) {
        this.store = store;
    }

    /** Every match, newest first; fails with {@link UnknownFolderException} for an unknown folder. */
    public Mono<List<Hit>> run(String user, MailboxQuery query) {
        return store.folders(user).collectList()
                .flatMap(folders -> {
                    List<Folder> scope = scope(folders, query);
                    if (scope == null) {
                        return Mono.error(new UnknownFolderException(query.collectionId()));
                    }
                    if (store.mailSearch().isPresent()) {
                        return pushedDown(user, scope, query, store.mailSearch().get());
                    }
                    return Flux.fromIterable(scope)
                            .concatMap(folder -> items(user, folder))
                            .publishOn(Schedulers.parallel())
                            .filter(item -> item.content() instanceof ItemContent.Email)
                            .filter(item -> (query.after() == null || item.date().isAfter(query.after()))
                                    && (query.before() == null || item.date().isBefore(query.before())))
                            .flatMapIterable(item -> {
                                ParsedEmail parsed = ParsedEmail.parse(((ItemContent.Email) item.content()).mime());
                                return matches(parsed, query.words()) ? List.of(new Hit(item, parsed)) : List.of();
                            })
                            .collectList()
                            .map(MailboxSearch::newestFirst);
                });
    }

    /**
     * The store searches each folder (IMAP SEARCH); only the hits are read and parsed. The store decides what a
     * word matches (its BODY search may see more of the message than the gateway's text would).
     */
    private Mono<List<Hit>> pushedDown(String user, List<Folder> scope, MailboxQuery query, MailSearch search) {
        MailSearch.MailQuery pushed = new MailSearch.MailQuery(String.join(" ", query.words()), query.after(),
                query.before());
        return Flux.fromIterable(scope)
                .concatMap(folder -> search.search(user, folder.id(), pushed).map(ItemVersion::id).collectList()
                        .flatMapMany(ids -> ids.isEmpty() ? Flux.empty() : store.items(user, folder.id(), ids)))
                .publishOn(Schedulers.parallel())
                .filter(item -> item.content() instanceof ItemContent.Email)
                .map(item -> new Hit(item, ParsedEmail.parse(((ItemContent.Email) item.content()).mime())))
                .collectList()
                .map(MailboxSearch::newestFirst);
    }

    private static List<Hit> newestFirst(List<Hit> hits) {
        List<Hit> sorted = new ArrayList<>(hits);
        sorted.sort(Comparator.comparing((Hit h) -> h.item().date()).reversed().thenComparing(h -> h.item().id()));
        return sorted;
    }

    private Flux<Item> items(String user, Folder folder) {
        return store.changesSince(user, folder.id(), 0)
                .flatMapMany(changes -> ids(changes).isEmpty() ? Flux.empty()
                        : store.items(user, folder.id(), ids(changes)));
    }

    private static List<String> ids(FolderChanges changes) {
        return changes.changed().stream().map(ItemVersion::id).toList();
    }

    /** The folders to search, or {@code null} when the named one is not an email folder of the user. */
    static List<Folder> scope(List<Folder> folders, MailboxQuery query) {
        List<Folder> mail = folders.stream().filter(f -> f.itemClass() == ItemClass.EMAIL).toList();
        if (query.collectionId() == null) {
            return mail;
        }
        Folder root = mail.stream().filter(f -> f.id().equals(query.collectionId())).findFirst().orElse(null);
        if (root == null) {
            return null;
        }
        if (!query.deepTraversal()) {
            return List.of(root);
        }
        List<Folder> scope = new ArrayList<>(List.of(root));
        Set<String> ids = new HashSet<>(Set.of(root.id()));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Folder f : mail) {
                if (!ids.contains(f.id()) && ids.contains(f.parentId())) {
                    ids.add(f.id());
                    scope.add(f);
                    grew = true;
                }
            }
        }
        return scope;
    }

    static boolean matches(ParsedEmail parsed, List<String> words) {
        if (words.isEmpty()) {
            return true;
        }
        String haystack = String.join("\n", nz(parsed.subject()), nz(parsed.from()), nz(parsed.to()),
                nz(parsed.cc()), nz(parsed.plainBody()), parsed.plainBody() == null ? nz(parsed.htmlBody()) : "")
                .toLowerCase(Locale.ROOT);
        for (String word : words) {
            if (!haystack.contains(word)) {
                return false;
            }
        }
        return true;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
