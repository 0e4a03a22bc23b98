package dev.easgate.core.command.sync;

import dev.easgate.backends.auth.Account;
import dev.easgate.core.imip.OrganizerNotices;
import dev.easgate.wbxml.WbxmlElement;
import reactor.core.publisher.Mono;

/**
 * The iMIP mail a Sync's calendar writes send for the requesting organizer ({@link OrganizerNotices}), or none: a
 * client before 16.0 sends its meeting mail itself with SendMail (MS-ASCMD 2.2.1.11), so only 16.x writes send.
 */
record OrganizerWrites(OrganizerNotices notices, Account organizer) {
    static final OrganizerWrites NONE = new OrganizerWrites(null, null);

    /** Whether writes send anything (then a new event is read back for the UID the store gave it). */
    boolean active() {
        return notices != null;
    }

    Mono<Void> changed(String id, WbxmlElement before, WbxmlElement after) {
        return notices == null ? Mono.empty() : notices.changed(organizer, id, before, after);
    }

    Mono<Void> deleted(String id, WbxmlElement before) {
        return notices == null ? Mono.empty() : notices.deleted(organizer, id, before);
    }
}
