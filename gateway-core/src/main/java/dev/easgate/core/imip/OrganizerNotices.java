package dev.easgate.core.imip;

import dev.easgate.backends.auth.Account;
import dev.easgate.core.command.mail.OutgoingMail;
import dev.easgate.wbxml.WbxmlElement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * What an organizer's write of a meeting sends to its attendees, as Exchange does for a 16.x client (which no
 * longer sends meeting mail itself with SendMail, MS-ASCMD 2.2.1.11): a Change that moves, renames, relocates or
 * re-patterns the meeting, or adds attendees (an Add adds them all), sends the updated REQUEST to the attendees; attendees taken off get a
 * CANCEL, and so does everyone when the meeting is deleted or its MeetingStatus says cancelled (MS-ASCAL 2.2.2.29).
 * A meeting is the user's when it has attendees, is not one the user received (MeetingStatus bit 2), and names
 * the user or no one as organizer. A failed send is logged; the write it follows stands.
 *
 * <p>The store keeps no SEQUENCE, so each message carries the seconds since 2020 (RFC 5546 2.1.4 wants it to grow
 * with each revision, which this does across all revisions the organizer sends).
 */
public final class OrganizerNotices {
    private static final Logger LOG = LoggerFactory.getLogger(OrganizerNotices.class);
    private static final long SEQUENCE_EPOCH = Instant.parse("2020-01-01T00:00:00Z").getEpochSecond();
    /** The fields whose change the attendees are told about. */
    private static final List<String> MATERIAL = List.of("Calendar:StartTime", "Calendar:EndTime",
            "Calendar:Subject", "Calendar:Location", "Calendar:AllDayEvent", "Calendar:Recurrence",
            "Calendar:Exceptions", "AirSyncBase:Location");

    private final OutgoingMail outgoing;
    private final Clock clock;

    public OrganizerNotices(OutgoingMail outgoing, Clock clock) {
        this.outgoing = Objects.requireNonNull(outgoing, "outgoing");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * After the organizer changed the calendar item {@code id} from {@code before} to {@code after}; a new item has
     * no {@code before}.
     */
    public Mono<Void> changed(Account organizer, String id, WbxmlElement before, WbxmlElement after) {
        boolean was = organizes(before, organizer);
        boolean is = organizes(after, organizer);
        if (!was && !is) {
            return Mono.empty();
        }
        Set<String> previous = was ? attendees(before, organizer) : Set.of();
        Set<String> current = is ? attendees(after, organizer) : Set.of();
        List<String> removed = new ArrayList<>(previous);
        removed.removeAll(current);
        boolean added = !previous.containsAll(current);
        Mono<Void> cancels = removed.isEmpty() ? Mono.empty() : send("CANCEL", before, id, organizer, removed);
        if (current.isEmpty()) {
            return cancels;
        }
        if (cancelled(after)) {
            return cancels.then(send("CANCEL", after, id, organizer, List.copyOf(current)));
        }
        if (added || material(before, after)) {
            return cancels.then(send("REQUEST", after, id, organizer, List.copyOf(current)));
        }
        return cancels;
    }

    /** After the organizer deleted the calendar item {@code id} that was {@code before}. */
    public Mono<Void> deleted(Account organizer, String id, WbxmlElement before) {
        if (!organizes(before, organizer) || cancelled(before)) {
            return Mono.empty();
        }
        return send("CANCEL", before, id, organizer, List.copyOf(attendees(before, organizer)));
    }

    private Mono<Void> send(String method, WbxmlElement data, String id, Account organizer, List<String> to) {
        return Mono.defer(() -> {
            Instant now = clock.instant();
            String uid = data.childText("Calendar:UID");
            byte[] mime = OrganizerMessage.message(method, data,
                    uid == null || uid.isBlank() ? "easgate-" + organizer.user() + "-" + id : uid, organizer, to,
                    (int) (now.getEpochSecond() - SEQUENCE_EPOCH), now);
            return outgoing.deliver(organizer, to, mime);
        }).doOnNext(report -> LOG.info("user={}: meeting {} sent to {} attendee(s)", organizer.user(), method,
                to.size())).then().onErrorResume(e -> {
                    LOG.warn("user={}: meeting {} not sent: {}", organizer.user(), method, e.toString());
                    return Mono.empty();
                });
    }

    /** A meeting with attendees that the user organizes. */
    static boolean organizes(WbxmlElement data, Account user) {
        if (data == null || attendees(data, user).isEmpty()) {
            return false;
        }
        if ((meetingStatus(data) & 2) != 0) {
            return false; // received: the user is an attendee
        }
        String organizer = data.childText("Calendar:OrganizerEmail");
        return organizer == null || organizer.isBlank() || organizer.trim().equalsIgnoreCase(user.primaryAddress());
    }

    /** MeetingStatus 5, 7, 13, 15: the cancel bit 4 (MS-ASCAL 2.2.2.29). */
    private static boolean cancelled(WbxmlElement data) {
        return (meetingStatus(data) & 4) != 0;
    }

    private static int meetingStatus(WbxmlElement data) {
        String value = data.childText("Calendar:MeetingStatus");
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The attendees' addresses, lower case, without the organizer. */
    private static Set<String> attendees(WbxmlElement data, Account user) {
        Set<String> out = new LinkedHashSet<>();
        WbxmlElement list = data.child("Calendar:Attendees");
        if (list != null) {
            for (WbxmlElement attendee : list.children("Calendar:Attendee")) {
                String email = attendee.childText("Email");
                if (email != null && email.indexOf('@') > 0 && !email.trim().equalsIgnoreCase(user.primaryAddress())) {
                    out.add(email.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    private static boolean material(WbxmlElement before, WbxmlElement after) {
        for (String name : MATERIAL) {
            if (!Objects.equals(before.child(name), after.child(name))) {
                return true;
            }
        }
        return false;
    }
}
