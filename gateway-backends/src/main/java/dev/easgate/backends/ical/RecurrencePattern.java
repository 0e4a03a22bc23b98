package dev.easgate.backends.ical;

import dev.easgate.wbxml.WbxmlElement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * An RRULE (RFC 5545 3.3.10) as the EAS recurrence fields (MS-ASEMAIL 2.2.2.59 Recurrence, MS-ASCAL 2.2.2.36):
 * Type 0 daily, 1 weekly, 2 monthly on a day, 3 monthly on the nth weekday, 5 yearly on a day, 6 yearly on the nth
 * weekday; DayOfWeek a mask (1 Sunday .. 64 Saturday); WeekOfMonth 1-5 with 5 the last.
 *
 * @param type        the EAS recurrence type
 * @param interval    INTERVAL, or {@code null}
 * @param until       UNTIL, or {@code null}
 * @param occurrences COUNT, or {@code null}
 * @param weekOfMonth the nth weekday of BYDAY, or {@code null}
 * @param dayOfMonth  BYMONTHDAY, or {@code null}
 * @param dayOfWeek   the BYDAY mask, or {@code null}
 * @param monthOfYear BYMONTH, or {@code null}
 * @param firstDayOfWeek WKST as 0 Sunday .. 6 Saturday (MS-ASCAL 2.2.2.21), or {@code null}
 */
public record RecurrencePattern(int type, Integer interval, Instant until, Integer occurrences, Integer weekOfMonth,
                                Integer dayOfMonth, Integer dayOfWeek, Integer monthOfYear, Integer firstDayOfWeek) {
    /**
     * Our own RRULE part keeping an EAS WeekOfMonth that came without a DayOfWeek (RRULE cannot say it), so it goes
     * back to the phone as it came.
     */
    public static final String WEEK_OF_MONTH_PART = "X-EASGATE-WEEKOFMONTH";

    private static final List<String> DAYS = List.of("SU", "MO", "TU", "WE", "TH", "FR", "SA");
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");

    /** The pattern of an RRULE value; parts EAS cannot say (BYSETPOS, several BYMONTHDAY) are left out. */
    public static RecurrencePattern of(String rrule) {
        String freq = "DAILY";
        Integer interval = null;
        Integer count = null;
        Instant until = null;
        String byDay = null;
        Integer byMonthDay = null;
        Integer byMonth = null;
        Integer firstDay = null;
        Integer keptWeek = null;
        for (String part : rrule.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String value = part.substring(eq + 1).trim().toUpperCase(Locale.ROOT);
            switch (part.substring(0, eq).trim().toUpperCase(Locale.ROOT)) {
                case "FREQ" -> freq = value;
                case "INTERVAL" -> interval = number(value);
                case "COUNT" -> count = number(value);
                case "UNTIL" -> until = until(value);
                case "BYDAY" -> byDay = value;
                case "BYMONTHDAY" -> byMonthDay = number(value.split(",")[0]);
                case "BYMONTH" -> byMonth = number(value.split(",")[0]);
                case "WKST" -> firstDay = DAYS.indexOf(value) < 0 ? null : DAYS.indexOf(value);
                case WEEK_OF_MONTH_PART -> keptWeek = number(value);
                default -> { }
            }
        }
        Integer mask = null;
        Integer week = null;
        if (byDay != null) {
            int bits = 0;
            for (String day : byDay.split(",")) {
                if (day.length() < 2 || DAYS.indexOf(day.substring(day.length() - 2)) < 0) {
                    continue;
                }
                bits |= 1 << DAYS.indexOf(day.substring(day.length() - 2));
                String n = day.substring(0, day.length() - 2).replace("+", "");
                if (!n.isEmpty()) {
                    week = n.startsWith("-") ? 5 : Math.min(5, number(n) == null ? 1 : number(n));
                }
            }
            mask = bits == 0 ? null : bits;
        }
        boolean nth = mask != null && week != null;
        int type = switch (freq) {
            case "WEEKLY" -> 1;
            case "MONTHLY" -> nth ? 3 : 2;
            case "YEARLY" -> nth ? 6 : 5;
            default -> 0;
        };
        return new RecurrencePattern(type, interval, until, count, nth ? week : keptWeek, byMonthDay, mask, byMonth,
                firstDay);
    }

    /**
     * The Calendar or Tasks Recurrence element (MS-ASCAL 2.2.2.37, MS-ASTASK 2.2.2.20) in the schema's order, Until
     * written with the given format (Calendar: Compact DateTime; Tasks: the dateTime form).
     */
    public WbxmlElement element(String tag, DateTimeFormatter untilFormat) {
        WbxmlElement.Builder r = WbxmlElement.el(tag).child("Type", type);
        r.optional("Occurrences", occurrences);
        r.optional("Interval", interval);
        r.optional("WeekOfMonth", weekOfMonth);
        r.optional("DayOfWeek", dayOfWeek);
        r.optional("MonthOfYear", monthOfYear);
        if (until != null) {
            r.child("Until", untilFormat.format(until));
        }
        r.optional("DayOfMonth", dayOfMonth);
        r.optional("FirstDayOfWeek", firstDayOfWeek);
        return r.build();
    }

    private static Integer number(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant until(String value) {
        try {
            if (value.length() == 8) {
                return LocalDate.parse(value, DateTimeFormatter.BASIC_ISO_DATE).atStartOfDay(ZoneOffset.UTC)
                        .toInstant();
            }
            return LocalDateTime.parse(value.replace("Z", ""), LOCAL).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
