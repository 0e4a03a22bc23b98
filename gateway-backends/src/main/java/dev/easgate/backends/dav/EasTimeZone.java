package dev.easgate.backends.dav;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransitionRule;
import java.time.zone.ZoneRules;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.component.VTimeZone;

/**
 * The EAS time zone (MS-ASDTYPE 2.7.4, MS-ASCAL 2.2.2.46): a base64 TIME_ZONE_INFORMATION of 172 bytes, little
 * endian: Bias (minutes, UTC = local + Bias), StandardName (32 UTF-16 units), StandardDate (SYSTEMTIME: year,
 * month, day of week 0=Sunday, week of month 1-5 with 5 the last, hour, minute, second, ms), StandardBias,
 * DaylightName, DaylightDate, DaylightBias. A zero month means no daylight saving.
 *
 * @param bias          minutes west of UTC in standard time
 * @param standardName  name of standard time
 * @param standardDate  when standard time starts (yearly rule), or null
 * @param standardBias  added to bias in standard time (usually 0)
 * @param daylightName  name of daylight time
 * @param daylightDate  when daylight time starts, or null
 * @param daylightBias  added to bias in daylight time (usually -60)
 */
public record EasTimeZone(int bias, String standardName, Rule standardDate, int standardBias, String daylightName,
                   Rule daylightDate, int daylightBias) {

    /** A yearly transition: month 1-12, weekday (0 Sunday), week of month 1-5 (5 the last), local time. */
    public record Rule(int month, int dayOfWeek, int week, int hour, int minute) {
        LocalDateTime in(int year) {
            DayOfWeek day = DayOfWeek.of(dayOfWeek == 0 ? 7 : dayOfWeek);
            LocalDate first = LocalDate.of(year, month, 1);
            LocalDate date = week >= 5 ? first.with(TemporalAdjusters.lastInMonth(day))
                    : first.with(TemporalAdjusters.dayOfWeekInMonth(week, day));
            return date.atTime(hour, minute);
        }

        String byDay() {
            String[] names = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
            return (week >= 5 ? "-1" : Integer.toString(week)) + names[dayOfWeek];
        }
    }

    public static final EasTimeZone UTC = new EasTimeZone(0, "UTC", null, 0, "UTC", null, 0);

    boolean hasDaylight() {
        return standardDate != null && daylightDate != null;
    }

    ZoneOffset standardOffset() {
        return ZoneOffset.ofTotalSeconds(-(bias + standardBias) * 60);
    }

    ZoneOffset daylightOffset() {
        return ZoneOffset.ofTotalSeconds(-(bias + daylightBias) * 60);
    }

    /** The UTC offset in force at an instant. */
    public ZoneOffset offsetAt(Instant instant) {
        if (!hasDaylight()) {
            return standardOffset();
        }
        int year = LocalDateTime.ofInstant(instant, standardOffset()).getYear();
        Instant daylightStarts = daylightDate.in(year).toInstant(standardOffset());
        Instant standardStarts = standardDate.in(year).toInstant(daylightOffset());
        boolean daylight = daylightStarts.isBefore(standardStarts)
                ? !instant.isBefore(daylightStarts) && instant.isBefore(standardStarts)
                : !instant.isBefore(daylightStarts) || instant.isBefore(standardStarts);
        return daylight ? daylightOffset() : standardOffset();
    }

    // ---- the blob -----------------------------------------------------------------------------------------------

    public static EasTimeZone decode(String base64) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(base64.trim())).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 172) {
            throw new IllegalArgumentException("TIME_ZONE_INFORMATION needs 172 bytes, got " + b.remaining());
        }
        int bias = b.getInt();
        String standardName = name(b);
        Rule standardDate = systemTime(b);
        int standardBias = b.getInt();
        String daylightName = name(b);
        Rule daylightDate = systemTime(b);
        int daylightBias = b.getInt();
        return new EasTimeZone(bias, standardName, standardDate, standardBias, daylightName, daylightDate,
                daylightBias);
    }

    public String encode() {
        ByteBuffer b = ByteBuffer.allocate(172).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(bias);
        putName(b, standardName);
        putSystemTime(b, standardDate);
        b.putInt(standardBias);
        putName(b, daylightName);
        putSystemTime(b, daylightDate);
        b.putInt(daylightBias);
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static String name(ByteBuffer b) {
        byte[] raw = new byte[64];
        b.get(raw);
        String s = new String(raw, StandardCharsets.UTF_16LE);
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    private static void putName(ByteBuffer b, String name) {
        byte[] utf16 = (name == null ? "" : name).getBytes(StandardCharsets.UTF_16LE);
        int start = b.position();
        b.put(utf16, 0, Math.min(62, utf16.length));
        b.position(start + 64);
    }

    private static Rule systemTime(ByteBuffer b) {
        b.getShort(); // year: 0 for a yearly rule
        int month = b.getShort();
        int dayOfWeek = b.getShort();
        int day = b.getShort();
        int hour = b.getShort();
        int minute = b.getShort();
        b.getShort();
        b.getShort();
        return month == 0 ? null : new Rule(month, dayOfWeek, day, hour, minute);
    }

    private static void putSystemTime(ByteBuffer b, Rule rule) {
        if (rule == null) {
            b.position(b.position() + 16);
            return;
        }
        b.putShort((short) 0).putShort((short) rule.month()).putShort((short) rule.dayOfWeek())
                .putShort((short) rule.week()).putShort((short) rule.hour()).putShort((short) rule.minute())
                .putShort((short) 0).putShort((short) 0);
    }

    // ---- VTIMEZONE ----------------------------------------------------------------------------------------------

    /** A TZID for this zone: its standard name when it has one, else one made from the offsets. */
    String tzid() {
        if (standardName != null && !standardName.isBlank()) {
            return standardName;
        }
        return "EAS " + standardOffset() + (hasDaylight() ? "/" + daylightOffset() : "");
    }

    VTimeZone toVTimeZone() {
        var builder = Ics.component("VTIMEZONE").property(Ics.prop("TZID", tzid()));
        if (!hasDaylight()) {
            builder.subComponent(Ics.component("STANDARD")
                    .property(Ics.prop("DTSTART", "19700101T000000"))
                    .property(Ics.prop("TZOFFSETFROM", offset(standardOffset())))
                    .property(Ics.prop("TZOFFSETTO", offset(standardOffset())))
                    .property(Ics.prop("TZNAME", nameOr(standardName, "Standard")))
                    .build());
        } else {
            builder.subComponent(observance("STANDARD", standardDate, daylightOffset(), standardOffset(),
                    nameOr(standardName, "Standard")));
            builder.subComponent(observance("DAYLIGHT", daylightDate, standardOffset(), daylightOffset(),
                    nameOr(daylightName, "Daylight")));
        }
        return (VTimeZone) builder.build();
    }

    private static String nameOr(String name, String fallback) {
        return name == null || name.isBlank() ? fallback : name;
    }

    private static Component observance(String kind, Rule rule, ZoneOffset from, ZoneOffset to, String name) {
        LocalDateTime start = rule.in(1970);
        return Ics.component(kind)
                .property(Ics.prop("DTSTART", String.format(Locale.ROOT, "%04d%02d%02dT%02d%02d00",
                        start.getYear(), start.getMonthValue(), start.getDayOfMonth(), start.getHour(),
                        start.getMinute())))
                .property(Ics.prop("RRULE", "FREQ=YEARLY;BYMONTH=" + rule.month() + ";BYDAY=" + rule.byDay()))
                .property(Ics.prop("TZOFFSETFROM", offset(from)))
                .property(Ics.prop("TZOFFSETTO", offset(to)))
                .property(Ics.prop("TZNAME", name))
                .build();
    }

    private static String offset(ZoneOffset offset) {
        int total = offset.getTotalSeconds() / 60;
        int abs = Math.abs(total);
        return String.format(Locale.ROOT, "%s%02d%02d", total < 0 ? "-" : "+", abs / 60, abs % 60);
    }

    /** The EAS form of a VTIMEZONE: its last STANDARD and DAYLIGHT observances with a yearly RRULE. */
    public static EasTimeZone fromVTimeZone(VTimeZone zone) {
        String tzid = Ics.value(zone, "TZID");
        Component standard = last(zone.getObservances().stream().filter(o -> o.getName().equals("STANDARD"))
                .map(o -> (Component) o).toList());
        Component daylight = last(zone.getObservances().stream().filter(o -> o.getName().equals("DAYLIGHT"))
                .map(o -> (Component) o).toList());
        if (standard == null) {
            return fromZoneId(tzid);
        }
        ZoneOffset standardOffset = parseOffset(Ics.value(standard, "TZOFFSETTO"));
        Rule standardRule = ruleOf(standard);
        Rule daylightRule = daylight == null ? null : ruleOf(daylight);
        int bias = -standardOffset.getTotalSeconds() / 60;
        if (standardRule == null || daylightRule == null) {
            return new EasTimeZone(bias, tzid, null, 0, tzid, null, 0);
        }
        ZoneOffset daylightOffset = parseOffset(Ics.value(daylight, "TZOFFSETTO"));
        int daylightBias = -(daylightOffset.getTotalSeconds() - standardOffset.getTotalSeconds()) / 60;
        return new EasTimeZone(bias, nameOf(standard, tzid), standardRule, 0, nameOf(daylight, tzid),
                daylightRule, daylightBias);
    }

    private static String nameOf(Component observance, String tzid) {
        String name = Ics.value(observance, "TZNAME");
        return name == null ? tzid : name;
    }

    private static Component last(List<Component> observances) {
        Component best = null;
        for (Component o : observances) {
            if (best == null || Ics.value(o, "DTSTART").compareTo(Ics.value(best, "DTSTART")) > 0) {
                best = o;
            }
        }
        return best;
    }

    private static Rule ruleOf(Component observance) {
        String rrule = Ics.value(observance, "RRULE");
        if (rrule == null) {
            return null;
        }
        int month = 0;
        String byDay = null;
        for (String part : rrule.split(";")) {
            if (part.startsWith("BYMONTH=")) {
                month = Integer.parseInt(part.substring(8));
            } else if (part.startsWith("BYDAY=")) {
                byDay = part.substring(6);
            }
        }
        if (month == 0 || byDay == null || byDay.length() < 3) {
            return null;
        }
        String weekday = byDay.substring(byDay.length() - 2);
        int n = Integer.parseInt(byDay.substring(0, byDay.length() - 2).replace("+", ""));
        int dayOfWeek = List.of("SU", "MO", "TU", "WE", "TH", "FR", "SA").indexOf(weekday);
        String start = Ics.value(observance, "DTSTART");
        int hour = Integer.parseInt(start.substring(9, 11));
        int minute = Integer.parseInt(start.substring(11, 13));
        return new Rule(month, dayOfWeek, n < 0 || n >= 5 ? 5 : n, hour, minute);
    }

    private static ZoneOffset parseOffset(String value) {
        String v = value.trim();
        int sign = v.startsWith("-") ? -1 : 1;
        String digits = v.replaceAll("[^0-9]", "");
        int seconds = Integer.parseInt(digits.substring(0, 2)) * 3600 + Integer.parseInt(digits.substring(2, 4)) * 60;
        return ZoneOffset.ofTotalSeconds(sign * seconds);
    }

    /** The EAS form of an IANA zone (its current yearly rules), or UTC when the id is unknown. */
    public static EasTimeZone fromZoneId(String id) {
        ZoneRules rules;
        try {
            rules = ZoneId.of(id).getRules();
        } catch (RuntimeException e) {
            return UTC;
        }
        return fromRules(id, rules);
    }

    /**
     * The EAS form of a zone's current yearly rules, named {@code id}: a zone whose rules ical4j built from an
     * invitation's VTIMEZONE or a Windows zone name has a made-up id, so the caller names it.
     */
    public static EasTimeZone fromRules(String id, ZoneRules rules) {
        List<ZoneOffsetTransitionRule> transitions = rules.getTransitionRules();
        ZoneOffset standard = rules.getStandardOffset(Instant.now());
        int bias = -standard.getTotalSeconds() / 60;
        if (transitions.size() != 2) {
            return new EasTimeZone(bias, id, null, 0, id, null, 0);
        }
        Rule daylight = null;
        Rule standardRule = null;
        int daylightBias = 0;
        for (ZoneOffsetTransitionRule t : transitions) {
            LocalTime local = t.getLocalTime();
            int dom = t.getDayOfMonthIndicator();
            int week = dom < 0 || dom + 6 >= t.getMonth().maxLength() ? 5 : Math.min(5, (dom - 1) / 7 + 1);
            int dow = t.getDayOfWeek() == null ? 0 : t.getDayOfWeek().getValue() % 7;
            ZoneOffset before = t.getOffsetBefore();
            LocalTime wall = t.getTimeDefinition().createDateTime(LocalDateTime.of(2001, 1, 1, local.getHour(),
                    local.getMinute()), t.getStandardOffset(), before).toLocalTime();
            Rule rule = new Rule(t.getMonth().getValue(), dow, week, wall.getHour(), wall.getMinute());
            if (t.getOffsetAfter().getTotalSeconds() > t.getStandardOffset().getTotalSeconds()) {
                daylight = rule;
                daylightBias = -(t.getOffsetAfter().getTotalSeconds() - standard.getTotalSeconds()) / 60;
            } else {
                standardRule = rule;
            }
        }
        return new EasTimeZone(bias, id, standardRule, 0, id, daylight, daylightBias);
    }
}
