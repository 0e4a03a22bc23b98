package dev.easgate.core.command.meeting;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A small reader of the iCalendar properties a meeting request carries (RFC 5545): unfolds lines (3.1), splits
 * name, parameters and value, unescapes TEXT (3.3.11), and reads METHOD and the first VEVENT's UID, SEQUENCE,
 * DTSTART, DTEND/DURATION, SUMMARY, LOCATION, DESCRIPTION, ORGANIZER and ATTENDEE. Recurrence rules and
 * VTIMEZONE definitions are not interpreted: a TZID that Java does not know is read as UTC.
 */
public final class ICalendarReader {
    private static final DateTimeFormatter LOCAL_DATE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");
    private static final DateTimeFormatter DATE = DateTimeFormatter.BASIC_ISO_DATE;

    private ICalendarReader() {
    }

    /** One content line: NAME;PARAM=value:VALUE, name and parameter names upper case. */
    record Property(String name, Map<String, String> parameters, String value) {
        String parameter(String key) {
            return parameters.get(key);
        }
    }

    /** The invite in {@code text}, or empty when it holds no VEVENT with a UID and a DTSTART. */
    public static Optional<MeetingInvite> read(String text) {
        String method = "";
        Map<String, Property> event = new HashMap<>();
        List<Property> attendees = new ArrayList<>();
        int depth = 0;
        boolean inEvent = false;
        boolean eventDone = false;
        for (String line : unfold(text)) {
            Property property = parse(line);
            if (property == null) {
                continue;
            }
            switch (property.name()) {
                case "BEGIN" -> {
                    depth++;
                    if (!eventDone && property.value().equalsIgnoreCase("VEVENT")) {
                        inEvent = true;
                    }
                }
                case "END" -> {
                    depth--;
                    if (inEvent && property.value().equalsIgnoreCase("VEVENT")) {
                        inEvent = false;
                        eventDone = true;
                    }
                }
                case "METHOD" -> {
                    if (!inEvent) {
                        method = property.value().trim().toUpperCase(Locale.ROOT);
                    }
                }
                case "ATTENDEE" -> {
                    if (inEvent) {
                        attendees.add(property);
                    }
                }
                default -> {
                    // properties of nested components (VALARM inside VEVENT) are at a deeper level: skip them
                    if (inEvent && depth == 2) {
                        event.putIfAbsent(property.name(), property);
                    }
                }
            }
        }
        Property uid = event.get("UID");
        Property dtStart = event.get("DTSTART");
        if (uid == null || uid.value().isBlank() || dtStart == null) {
            return Optional.empty();
        }
        boolean allDay = isDate(dtStart);
        Instant start;
        try {
            start = instant(dtStart);
        } catch (DateTimeException e) {
            return Optional.empty();
        }
        Instant end = end(event, start, allDay);
        Property organizer = event.get("ORGANIZER");
        List<MeetingInvite.Attendee> people = new ArrayList<>();
        for (Property attendee : attendees) {
            String email = address(attendee.value());
            if (email != null) {
                people.add(new MeetingInvite.Attendee(email, attendee.parameter("CN")));
            }
        }
        return Optional.of(new MeetingInvite(method, uid.value().trim(), sequence(event.get("SEQUENCE")), start, end,
                allDay, text(event.get("SUMMARY"), ""), text(event.get("LOCATION"), null),
                text(event.get("DESCRIPTION"), null), organizer == null ? null : address(organizer.value()),
                organizer == null ? null : organizer.parameter("CN"), people));
    }

    /** RFC 5545 3.1: a line starting with a space or tab continues the previous one. */
    static List<String> unfold(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = null;
        for (String raw : text.split("\r\n|\n|\r", -1)) {
            if (!raw.isEmpty() && (raw.charAt(0) == ' ' || raw.charAt(0) == '\t') && current != null) {
                current.append(raw, 1, raw.length());
                continue;
            }
            if (current != null) {
                lines.add(current.toString());
            }
            current = new StringBuilder(raw);
        }
        if (current != null && current.length() > 0) {
            lines.add(current.toString());
        }
        return lines;
    }

    /** Splits a content line; parameter values may be quoted and then hold ':' and ';'. */
    static Property parse(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != ';' && line.charAt(i) != ':') {
            i++;
        }
        if (i == n || i == 0) {
            return null;
        }
        String name = line.substring(0, i).trim().toUpperCase(Locale.ROOT);
        Map<String, String> parameters = new HashMap<>();
        while (i < n && line.charAt(i) == ';') {
            int keyStart = ++i;
            while (i < n && line.charAt(i) != '=' && line.charAt(i) != ':' && line.charAt(i) != ';') {
                i++;
            }
            String key = line.substring(keyStart, i).trim().toUpperCase(Locale.ROOT);
            String value = "";
            if (i < n && line.charAt(i) == '=') {
                i++;
                if (i < n && line.charAt(i) == '"') {
                    int close = line.indexOf('"', i + 1);
                    if (close < 0) {
                        return null;
                    }
                    value = line.substring(i + 1, close);
                    i = close + 1;
                } else {
                    int valueStart = i;
                    while (i < n && line.charAt(i) != ';' && line.charAt(i) != ':') {
                        i++;
                    }
                    value = line.substring(valueStart, i);
                }
            }
            parameters.putIfAbsent(key, value);
        }
        if (i >= n || line.charAt(i) != ':') {
            return null;
        }
        return new Property(name, parameters, line.substring(i + 1));
    }

    private static boolean isDate(Property property) {
        return "DATE".equalsIgnoreCase(property.parameter("VALUE")) || property.value().trim().length() == 8;
    }

    /** DATE-TIME in UTC (Z), with a TZID, or floating; or a DATE (midnight UTC). */
    static Instant instant(Property property) {
        String value = property.value().trim();
        if (isDate(property)) {
            return LocalDate.parse(value, DATE).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        if (value.endsWith("Z") || value.endsWith("z")) {
            return LocalDateTime.parse(value.substring(0, value.length() - 1), LOCAL_DATE_TIME)
                    .toInstant(ZoneOffset.UTC);
        }
        return LocalDateTime.parse(value, LOCAL_DATE_TIME).atZone(zone(property.parameter("TZID"))).toInstant();
    }

    private static ZoneId zone(String tzid) {
        if (tzid == null || tzid.isBlank()) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(tzid.trim().replaceFirst("^/", ""));
        } catch (DateTimeException e) {
            return ZoneOffset.UTC;
        }
    }

    private static Instant end(Map<String, Property> event, Instant start, boolean allDay) {
        Duration fallback = allDay ? Duration.ofDays(1) : Duration.ofHours(1);
        try {
            Property dtEnd = event.get("DTEND");
            if (dtEnd != null) {
                Instant end = instant(dtEnd);
                return end.isBefore(start) ? start.plus(fallback) : end;
            }
            Property duration = event.get("DURATION");
            if (duration != null) {
                String value = duration.value().trim().toUpperCase(Locale.ROOT);
                // Duration.parse knows days, hours, minutes and seconds; RFC 5545 3.3.6 also has weeks
                if (value.matches("[+]?P\\d+W")) {
                    return start.plus(Duration.ofDays(7L * Long.parseLong(value.replaceAll("\\D", ""))));
                }
                return start.plus(Duration.parse(value.replace("+", "")));
            }
        } catch (DateTimeException | ArithmeticException e) {
            // fall through to the default length
        }
        return start.plus(fallback);
    }

    private static int sequence(Property property) {
        if (property == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(property.value().trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The address of a CAL-ADDRESS value ({@code mailto:a@b}), lower case, or {@code null}. */
    static String address(String value) {
        String v = value.trim();
        if (v.regionMatches(true, 0, "mailto:", 0, 7)) {
            v = v.substring(7);
        }
        return v.indexOf('@') > 0 ? v.toLowerCase(Locale.ROOT) : null;
    }

    /** RFC 5545 3.3.11 TEXT: \n and \N are line breaks, \\ \; \, stand for themselves. */
    static String text(Property property, String absent) {
        if (property == null) {
            return absent;
        }
        String value = property.value();
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char next = value.charAt(++i);
                out.append(next == 'n' || next == 'N' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
