package dev.easgate.backends.dav;

import dev.easgate.wbxml.WbxmlElement;
import java.time.Instant;

/**
 * An EAS calendar item as iCalendar text, through the same conversion the CalDAV store writes with (zone,
 * recurrence, exceptions, organizer, attendees with PARTSTAT): for iMIP messages built from a calendar item.
 */
public final class EventText {
    private EventText() {
    }

    /** The VCALENDAR (no METHOD) of the event in {@code data}, with {@code uid} when the item has no UID. */
    public static String of(WbxmlElement data, String uid, Instant now) {
        return Ics.write(IcalConverter.eventToIcal(data, uid, now));
    }
}
