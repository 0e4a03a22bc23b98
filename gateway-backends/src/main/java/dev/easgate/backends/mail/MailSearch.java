package dev.easgate.backends.mail;

import java.time.Instant;
import reactor.core.publisher.Flux;

/**
 * An optional capability of a {@link MailStore}: searching one email folder on the server (an IMAP store sends
 * {@code UID SEARCH}) instead of reading every message into the gateway. Found through
 * {@link MailStore#mailSearch()}, so wrapping stores pass it on; callers without it filter the items themselves.
 */
public interface MailSearch {

    /**
     * What to look for; every condition given must hold.
     *
     * @param freeText       words (split on white space), each of which must occur case-insensitively in the
     *                       subject, the From, To or Cc addresses or the body; {@code null} or blank: no condition
     * @param receivedAfter  only mail received after this instant, or {@code null}
     * @param receivedBefore only mail received before this instant, or {@code null}
     */
    record MailQuery(String freeText, Instant receivedAfter, Instant receivedBefore) {
        /** The free-text words, empty when there are none. */
        public java.util.List<String> words() {
            return freeText == null || freeText.isBlank() ? java.util.List.of()
                    : java.util.List.of(freeText.strip().split("\\s+"));
        }
    }

    /**
     * The emails of the folder matching the query (in no particular order). The received-date conditions are exact
     * (a server that compares whole days only is narrowed to the instant here). NOT_FOUND for an unknown folder.
     */
    Flux<ItemVersion> search(String user, String folderId, MailQuery query);
}
