package dev.easgate.backends.imip;

import dev.easgate.backends.dav.EasTimeZone;
import java.io.IOException;
import java.io.StringReader;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.data.ParserException;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.TimeZoneRegistry;
import net.fortuna.ical4j.model.TimeZoneRegistryFactory;
import net.fortuna.ical4j.model.component.VTimeZone;
import net.fortuna.ical4j.model.property.DateProperty;

/**
 * Reads the invitation of an iCalendar text (RFC 5545) through ical4j, with the event's real times: a TZID is
 * resolved by the calendar's own VTIMEZONE when it has one (a custom zone is honoured, as RFC 5545 3.6.5 wants),
 * else as an IANA id or a Windows zone name as Outlook and Exchange write them ("W. Europe Standard Time",
 * mapped by ical4j's table of Windows zone names and their display names), else a Mozilla-style prefixed IANA id;
 * a TZID that is none of these is read as floating time, which is taken as UTC.
 */
public final class InvitationReader {
    /** A TZID parameter in a content line, up to the value or the next parameter. */
    private static final Pattern TZID_PARAMETER = Pattern.compile(";TZID=(\"[^\"]*\"|[^;:]*)",
            Pattern.CASE_INSENSITIVE);
    /** The TZID property of a VTIMEZONE. */
    private static final Pattern TZID_PROPERTY = Pattern.compile("^TZID[^:]*:(.*)$",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    /** The shape of an IANA region id (Area/Location, maybe Area/Region/Location). */
    private static final Pattern IANA_ID = Pattern.compile("[A-Za-z]+(?:/[A-Za-z_+\\-0-9]+)+");
    private static final List<String> CLASSES = List.of("PUBLIC", "X-PERSONAL", "PRIVATE", "CONFIDENTIAL");
    private static final List<String> BUSY = List.of("FREE", "TENTATIVE", "BUSY", "OOF", "WORKINGELSEWHERE");

    private InvitationReader() {
    }

    /**
     * Reads one invitation in a Windows zone, so that ical4j loads its zone tables (about 1.5 s) now, on the caller's
     * thread, rather than inside the first Sync or MeetingResponse that meets an invitation.
     */
    public static void warmUp() {
        read("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:warm-up\r\n"
                + "DTSTART;TZID=W. Europe Standard Time:20260105T090000\r\n"
                + "DTEND;TZID=W. Europe Standard Time:20260105T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    }

    /** The invitation in {@code text}, or empty when it is not iCalendar or holds no VEVENT with UID and DTSTART. */
    public static Optional<Invitation> read(String text) {
        Calendar calendar;
        try {
            calendar = parse(resolvableZones(unfoldable(text)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        List<Component> events = components(calendar, "VEVENT");
        Component event = events.stream().filter(e -> e.getProperty("RECURRENCE-ID").isEmpty()).findFirst()
                .orElse(events.isEmpty() ? null : events.get(0));
        if (event == null) {
            return Optional.empty();
        }
        String uid = value(event, "UID");
        Optional<Property> dtStart = event.getProperty("DTSTART");
        if (uid == null || uid.isBlank() || dtStart.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(invitation(calendar, event, uid.trim(), dtStart.get()));
        } catch (RuntimeException e) {
            // mail is untrusted input: a malformed invitation is no invitation, never a failed Sync
            return Optional.empty();
        }
    }

    private static Invitation invitation(Calendar calendar, Component event, String uid, Property dtStart) {
        Temporal startValue = temporal(dtStart);
        boolean allDay = startValue instanceof LocalDate;
        Instant start = instant(startValue);
        Instant end = end(event, start, allDay);
        String method = calendar.getProperty("METHOD").map(Property::getValue).orElse("").trim()
                .toUpperCase(Locale.ROOT);
        Property organizer = event.<Property>getProperty("ORGANIZER").orElse(null);
        List<Invitation.Attendee> attendees = new ArrayList<>();
        boolean rsvp = false;
        for (Property p : event.<Property>getProperties("ATTENDEE")) {
            String email = address(p.getValue());
            if (email == null) {
                continue;
            }
            boolean asked = "TRUE".equalsIgnoreCase(param(p, "RSVP"));
            rsvp |= asked;
            attendees.add(new Invitation.Attendee(email, param(p, "CN"),
                    upper(param(p, "PARTSTAT"), "NEEDS-ACTION"), upper(param(p, "ROLE"), "REQ-PARTICIPANT"),
                    asked));
        }
        Instant recurrenceId = event.<Property>getProperty("RECURRENCE-ID").map(p -> instant(temporal(p)))
                .orElse(null);
        Instant dtStamp = event.<Property>getProperty("DTSTAMP").map(p -> instant(temporal(p))).orElse(null);
        String organizerEmail = organizer == null ? null : address(organizer.getValue());
        return new Invitation(method, uid, sequence(value(event, "SEQUENCE")), dtStamp, start, end, allDay,
                zone(calendar, dtStart, startValue).encode(), orEmpty(value(event, "SUMMARY")),
                value(event, "LOCATION"), value(event, "DESCRIPTION"),
                organizerEmail == null ? null : new Invitation.Person(organizerEmail, param(organizer, "CN")),
                attendees, recurrenceId, value(event, "RRULE"), reminder(event), busyStatus(event),
                sensitivity(value(event, "CLASS")), rsvp,
                "TRUE".equalsIgnoreCase(value(event, "X-MICROSOFT-DISALLOW-COUNTER")));
    }

    /**
     * ical4j unfolds only CRLF followed by white space (RFC 5545 3.1); mail and XML transport may leave bare LFs.
     */
    private static String unfoldable(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
    }

    /**
     * Rewrites each TZID parameter ical4j could not resolve (no VTIMEZONE of that name, not an IANA id, not a known
     * alias) to the IANA id at its end, or drops it (floating time): one unknown zone name would otherwise make
     * the whole calendar unreadable.
     */
    static String resolvableZones(String text) {
        Set<String> defined = new HashSet<>();
        Matcher property = TZID_PROPERTY.matcher(text);
        while (property.find()) {
            defined.add(property.group(1).trim());
        }
        TimeZoneRegistry registry = TimeZoneRegistryFactory.getInstance().createRegistry();
        Matcher parameter = TZID_PARAMETER.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (parameter.find()) {
            String raw = parameter.group(1);
            String tzid = raw.startsWith("\"") ? raw.substring(1, raw.length() - 1) : raw;
            String replacement;
            if (defined.contains(tzid.trim()) || known(registry, tzid)) {
                replacement = parameter.group();
            } else {
                String iana = ianaSuffix(registry, tzid.trim());
                replacement = iana == null ? "" : ";TZID=" + iana;
            }
            parameter.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        parameter.appendTail(out);
        return out.toString();
    }

    /** The longest known IANA id the TZID ends with ("Europe/Berlin" of "/mozilla.org/20050126_1/Europe/Berlin"). */
    private static String ianaSuffix(TimeZoneRegistry registry, String tzid) {
        String[] segments = tzid.split("/");
        for (int from = Math.max(1, segments.length - 3); from < segments.length - 1; from++) {
            String candidate = String.join("/", List.of(segments).subList(from, segments.length));
            if (IANA_ID.matcher(candidate).matches() && known(registry, candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean known(TimeZoneRegistry registry, String tzid) {
        try {
            return registry.getTimeZone(tzid) != null || ZoneId.of(tzid) != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Calendar parse(String text) {
        try {
            return new CalendarBuilder().build(new StringReader(text));
        } catch (IOException | ParserException | RuntimeException e) {
            throw new IllegalArgumentException("not iCalendar: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Temporal temporal(Property property) {
        return ((DateProperty<Temporal>) property).getDate();
    }

    private static Instant instant(Temporal value) {
        if (value instanceof ZonedDateTime zoned) {
            return zoned.toInstant();
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof LocalDateTime local) {
            return local.toInstant(ZoneOffset.UTC);
        }
        return LocalDate.from(value).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The EAS zone of DTSTART: its VTIMEZONE when the calendar has one, else the rules ical4j resolved. */
    private static EasTimeZone zone(Calendar calendar, Property dtStart, Temporal value) {
        String tzid = param(dtStart, "TZID");
        if (tzid != null) {
            for (Component z : components(calendar, "VTIMEZONE")) {
                if (tzid.equals(value(z, "TZID"))) {
                    return EasTimeZone.fromVTimeZone((VTimeZone) z);
                }
            }
        }
        if (value instanceof ZonedDateTime zoned) {
            return EasTimeZone.fromRules(tzid == null ? zoned.getZone().getId() : tzid, zoned.getZone().getRules());
        }
        return EasTimeZone.UTC;
    }

    private static Instant end(Component event, Instant start, boolean allDay) {
        Duration fallback = allDay ? Duration.ofDays(1) : Duration.ofHours(1);
        Optional<Property> dtEnd = event.getProperty("DTEND");
        if (dtEnd.isPresent()) {
            Instant end = instant(temporal(dtEnd.get()));
            return end.isBefore(start) ? start.plus(fallback) : end;
        }
        String duration = value(event, "DURATION");
        if (duration != null) {
            Duration length = duration(duration);
            if (length != null && !length.isNegative()) {
                return start.plus(length);
            }
        }
        return start.plus(fallback);
    }

    /** RFC 5545 3.3.6 durations: weeks, or days and time. */
    static Duration duration(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        boolean negative = v.startsWith("-");
        v = v.replaceFirst("^[+-]", "");
        try {
            Duration d = v.matches("P\\d+W") ? Duration.ofDays(7L * Long.parseLong(v.substring(1, v.length() - 1)))
                    : Duration.parse(v);
            return negative ? d.negated() : d;
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    /** Minutes before the start of the first VALARM triggered relative to the start. */
    private static Integer reminder(Component event) {
        for (Component alarm : subComponents(event, "VALARM")) {
            Property trigger = alarm.<Property>getProperty("TRIGGER").orElse(null);
            if (trigger == null || "END".equalsIgnoreCase(param(trigger, "RELATED"))
                    || "DATE-TIME".equalsIgnoreCase(param(trigger, "VALUE"))) {
                continue;
            }
            Duration before = duration(trigger.getValue());
            if (before != null) {
                return (int) Math.max(0, -before.toMinutes());
            }
        }
        return null;
    }

    /** Outlook's intended status of a request, else its busy status, else TRANSP (RFC 5545 3.8.2.7). */
    private static int busyStatus(Component event) {
        for (String name : List.of("X-MICROSOFT-CDO-INTENDEDSTATUS", "X-MICROSOFT-CDO-BUSYSTATUS")) {
            String value = value(event, name);
            if (value != null && BUSY.contains(value.trim().toUpperCase(Locale.ROOT))) {
                return BUSY.indexOf(value.trim().toUpperCase(Locale.ROOT));
            }
        }
        return "TRANSPARENT".equalsIgnoreCase(value(event, "TRANSP")) ? 0 : 2;
    }

    private static int sensitivity(String clazz) {
        return clazz == null ? 0 : Math.max(0, CLASSES.indexOf(clazz.trim().toUpperCase(Locale.ROOT)));
    }

    private static int sequence(String value) {
        try {
            return value == null ? 0 : Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The address of a CAL-ADDRESS ({@code mailto:a@b}), lower case, or {@code null}. */
    static String address(String value) {
        String v = value == null ? "" : value.trim();
        if (v.regionMatches(true, 0, "mailto:", 0, 7)) {
            v = v.substring(7);
        }
        return v.indexOf('@') > 0 ? v.toLowerCase(Locale.ROOT) : null;
    }

    private static List<Component> components(Calendar calendar, String name) {
        List<Component> out = new ArrayList<>();
        for (Component c : calendar.getComponentList().getAll()) {
            if (c.getName().equals(name)) {
                out.add(c);
            }
        }
        return out;
    }

    private static List<Component> subComponents(Component parent, String name) {
        List<Component> out = new ArrayList<>();
        if (parent instanceof ComponentContainer<?> container) {
            for (Component c : container.getComponentList().getAll()) {
                if (c.getName().equals(name)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private static String value(Component component, String name) {
        return component.<Property>getProperty(name).map(Property::getValue).orElse(null);
    }

    private static String param(Property property, String name) {
        return property.<Parameter>getParameter(name).map(Parameter::getValue).orElse(null);
    }

    private static String upper(String value, String absent) {
        return value == null || value.isBlank() ? absent : value.trim().toUpperCase(Locale.ROOT);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
