package dev.easgate.core.command.resolve;

import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.wbxml.WbxmlElement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * MergedFreeBusy (MS-ASCMD 2.2.3.99): one digit per 30-minute slot from the start time, the strongest state of
 * the events overlapping it: 0 free, 1 tentative, 2 busy, 3 out of office (from Calendar:BusyStatus 0..3; 4,
 * working elsewhere, counts as tentative); 4 "no data" for a recipient whose calendar the gateway cannot read.
 * Only each event's first occurrence is considered (recurrences are not expanded).
 */
public final class FreeBusy {
    static final Duration SLOT = Duration.ofMinutes(30);
    private static final DateTimeFormatter COMPACT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private FreeBusy() {
    }

    public static int slots(Instant start, Instant end) {
        long minutes = Duration.between(start, end).toMinutes();
        return (int) ((minutes + SLOT.toMinutes() - 1) / SLOT.toMinutes());
    }

    /** All slots "no data". */
    public static String noData(Instant start, Instant end) {
        return "4".repeat(slots(start, end));
    }

    public static String merged(List<Item> calendarItems, Instant start, Instant end) {
        char[] slots = "0".repeat(slots(start, end)).toCharArray();
        for (Item item : calendarItems) {
            if (!(item.content() instanceof ItemContent.Pim pim)) {
                continue;
            }
            WbxmlElement data = pim.applicationData();
            Instant from = compact(data.childText("Calendar:StartTime"));
            Instant to = compact(data.childText("Calendar:EndTime"));
            if (from == null || to == null || !to.isAfter(start) || !from.isBefore(end)) {
                continue;
            }
            String busy = data.childText("Calendar:BusyStatus");
            int state = busy == null ? 2 : switch (busy.strip()) {
                case "0" -> 0;
                case "1", "4" -> 1;
                case "3" -> 3;
                default -> 2;
            };
            for (int i = 0; i < slots.length; i++) {
                Instant slotStart = start.plus(SLOT.multipliedBy(i));
                Instant slotEnd = slotStart.plus(SLOT);
                if (from.isBefore(slotEnd) && to.isAfter(slotStart) && state > slots[i] - '0') {
                    slots[i] = (char) ('0' + state);
                }
            }
        }
        return new String(slots);
    }

    private static Instant compact(String text) {
        if (text == null) {
            return null;
        }
        try {
            return COMPACT.parse(text.strip(), Instant::from);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
