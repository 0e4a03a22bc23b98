package dev.easgate.backends.imap;

import static dev.easgate.backends.imap.ImapCommands.failureKinds;
import static dev.easgate.backends.imap.ImapCommands.send;

import dev.easgate.backends.imap.FolderList.Entry;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailSearch.MailQuery;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import jakarta.mail.Message;
import jakarta.mail.search.AndTerm;
import jakarta.mail.search.BodyTerm;
import jakarta.mail.search.ComparisonTerm;
import jakarta.mail.search.FromStringTerm;
import jakarta.mail.search.OrTerm;
import jakarta.mail.search.ReceivedDateTerm;
import jakarta.mail.search.RecipientStringTerm;
import jakarta.mail.search.SearchException;
import jakarta.mail.search.SearchTerm;
import jakarta.mail.search.SubjectTerm;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.SearchSequence;
import org.eclipse.angus.mail.imap.protocol.UIDSet;

/**
 * Mail search on the server: {@code UID SEARCH} in the folder, each free-text word as
 * {@code OR SUBJECT FROM TO CC BODY}, all words ANDed, the received range as {@code SINCE}/{@code BEFORE} widened by a
 * day (IMAP compares whole days), then {@code UID FETCH (UID INTERNALDATE MODSEQ)} of the hits, kept when their
 * INTERNALDATE is in the exact range. Blocking: the facade runs it on its scheduler.
 */
final class ImapSearch {
    private final ImapConnections connections;
    private final ImapFolders folders;

    ImapSearch(ImapConnections connections, ImapFolders folders) {
        this.connections = connections;
        this.folders = folders;
    }

    List<ItemVersion> search(String user, String folderId, MailQuery query) {
        Entry entry = folders.require(user, folderId);
        SearchTerm term = searchTerm(query);
        return ImapCommands.inMailbox(connections, user, entry.imapName(), false, (p, info) -> {
            if (info.total == 0) {
                return List.<ItemVersion>of();
            }
            long uidValidity = info.uidvalidity;
            Argument args = new Argument();
            if (term == null) {
                args.writeAtom("ALL");
            } else {
                String charset = SearchSequence.isAscii(term) ? null : "UTF-8";
                if (charset != null) {
                    args.writeAtom("CHARSET").writeAtom(charset);
                }
                try {
                    args.append(new SearchSequence(p).generateSequence(term, charset));
                } catch (SearchException | IOException e) {
                    throw new MailStoreException(Kind.INVALID, "cannot express the search in IMAP", e);
                }
            }
            Response[] responses = failureKinds(() -> send(p, "UID SEARCH", args));
            List<Long> uids = new ArrayList<>();
            for (Response r : responses) {
                if (r instanceof IMAPResponse ir && ir.isUnTagged() && ir.keyEquals("SEARCH")) {
                    long uid;
                    while ((uid = ir.readLong()) != -1) {
                        uids.add(uid);
                    }
                }
            }
            if (uids.isEmpty()) {
                return List.<ItemVersion>of();
            }
            Response[] fetched = send(p, "UID FETCH " + UIDSet.toString(UIDSet.createUIDSets(
                    uids.stream().mapToLong(Long::longValue).sorted().toArray())) + " (UID INTERNALDATE MODSEQ)", null);
            List<ItemVersion> hits = new ArrayList<>();
            for (Response r : fetched) {
                ItemVersion hit = r instanceof FetchResponse f && f.getItem(INTERNALDATE.class) != null
                        ? ImapIds.version(f, folderId, uidValidity) : null;
                if (hit != null && (query.receivedAfter() == null || hit.date().isAfter(query.receivedAfter()))
                        && (query.receivedBefore() == null || hit.date().isBefore(query.receivedBefore()))) {
                    hits.add(hit);
                }
            }
            return hits;
        });
    }

    /** The query as a Jakarta Mail search term, or {@code null} when it has no condition. */
    static SearchTerm searchTerm(MailQuery query) {
        List<SearchTerm> all = new ArrayList<>();
        for (String word : query.words()) {
            all.add(new OrTerm(new SearchTerm[] {
                    new SubjectTerm(word),
                    new FromStringTerm(word),
                    new RecipientStringTerm(Message.RecipientType.TO, word),
                    new RecipientStringTerm(Message.RecipientType.CC, word),
                    new BodyTerm(word)}));
        }
        Duration day = Duration.ofDays(1);
        if (query.receivedAfter() != null) {
            all.add(new ReceivedDateTerm(ComparisonTerm.GE, Date.from(query.receivedAfter().minus(day))));
        }
        if (query.receivedBefore() != null) {
            all.add(new ReceivedDateTerm(ComparisonTerm.LT, Date.from(query.receivedBefore().plus(
                    day.multipliedBy(2)))));
        }
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : new AndTerm(all.toArray(SearchTerm[]::new));
    }
}
