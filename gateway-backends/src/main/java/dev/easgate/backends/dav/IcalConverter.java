package dev.easgate.backends.dav;

import dev.easgate.backends.ical.RecurrencePattern;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.wbxml.WbxmlElement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentBuilder;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.VTimeZone;

/**
 * EAS calendar items (MS-ASCAL) and tasks (MS-ASTASK) to and from iCalendar (RFC 5545) through ical4j.
 *
 * <p>Calendar: Subject SUMMARY, Location LOCATION, plain Body DESCRIPTION (other body types X-ALT-DESC with their
 * FMTTYPE), StartTime/EndTime DTSTART/DTEND in UTC (all-day events as DATE values, the dates read in the event's
 * zone), Timezone a VTIMEZONE made from the TIME_ZONE_INFORMATION (and back from a referenced or the only
 * VTIMEZONE, or an IANA TZID), Sensitivity CLASS, BusyStatus TRANSP and X-MICROSOFT-CDO-BUSYSTATUS, Reminder a
 * display VALARM, organizer and attendees with PARTSTAT/ROLE/CUTYPE, Categories CATEGORIES, Recurrence RRULE,
 * deleted occurrences EXDATE, changed occurrences VEVENTs with RECURRENCE-ID holding the changed fields.
 */
final class IcalConverter {
    static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    static final DateTimeFormatter TASK_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE = DateTimeFormatter.BASIC_ISO_DATE;

    /** Top-level elements the calendar conversion carries natively. */
    static final Set<String> CALENDAR_HANDLED = Set.of("Calendar:Timezone", "Calendar:DtStamp",
            "Calendar:StartTime", "Calendar:Subject", "Calendar:UID", "Calendar:OrganizerName",
            "Calendar:OrganizerEmail", "Calendar:Location", "Calendar:EndTime", "Calendar:Recurrence",
            "AirSyncBase:Body", "Calendar:Sensitivity", "Calendar:BusyStatus", "Calendar:AllDayEvent",
            "Calendar:Reminder", "Calendar:MeetingStatus", "Calendar:Attendees", "Calendar:Categories",
            "Calendar:Exceptions");
    static final Set<String> TASKS_HANDLED = Set.of("AirSyncBase:Body", "Tasks:Subject", "Tasks:Importance",
            "Tasks:UtcStartDate", "Tasks:StartDate", "Tasks:UtcDueDate", "Tasks:DueDate", "Tasks:Categories",
            "Tasks:Recurrence", "Tasks:Complete", "Tasks:DateCompleted", "Tasks:Sensitivity", "Tasks:ReminderTime",
            "Tasks:ReminderSet");

    private static final String[] BUSY = {"FREE", "TENTATIVE", "BUSY", "OOF", "WORKINGELSEWHERE"};
    private static final String[] CLASSES = {"PUBLIC", "X-PERSONAL", "PRIVATE", "CONFIDENTIAL"};
    private static final List<String> DAYS = List.of("SU", "MO", "TU", "WE", "TH", "FR", "SA");

    private IcalConverter() {
    }

    private static Calendar newCalendar() {
        Calendar cal = new Calendar();
        cal.add(Ics.prop("PRODID", "-//easgate//EAS gateway//EN"));
        cal.add(Ics.prop("VERSION", "2.0"));
        return cal;
    }

    // ================================ Calendar: EAS -> iCalendar ================================================

    static Calendar eventToIcal(WbxmlElement data, String uid, Instant now) {
        Calendar cal = newCalendar();
        EasTimeZone tz = data.childText("Calendar:Timezone") == null ? EasTimeZone.UTC
                : EasTimeZone.decode(data.childText("Calendar:Timezone"));
        if (data.childText("Calendar:Timezone") != null) {
            cal.add(tz.toVTimeZone());
        }
        boolean allDay = "1".equals(data.childText("Calendar:AllDayEvent"));
        String easUid = data.childText("Calendar:UID");
        ComponentBuilder<?> master = Ics.component("VEVENT");
        master.property(Ics.prop("UID", easUid != null ? easUid : uid));
        master.property(Ics.prop("DTSTAMP", Objects.requireNonNullElse(data.childText("Calendar:DtStamp"),
                COMPACT.format(now))));
        eventFields(master, data, tz, allDay, true);
        WbxmlElement recurrence = data.child("Calendar:Recurrence");
        if (recurrence != null) {
            master.property(Ics.prop("RRULE", rrule(recurrence)));
        }
        List<Component> overrides = new ArrayList<>();
        WbxmlElement exceptions = data.child("Calendar:Exceptions");
        if (exceptions != null) {
            for (WbxmlElement ex : exceptions.children("Calendar:Exception")) {
                String when = ex.childText("Calendar:ExceptionStartTime");
                if ("1".equals(ex.childText("Calendar:Deleted"))) {
                    master.property(allDay ? Ics.prop("EXDATE", localDate(when, tz), "VALUE", "DATE")
                            : Ics.prop("EXDATE", when));
                } else {
                    overrides.add(override(data, ex, tz, allDay, easUid != null ? easUid : uid, now));
                }
            }
        }
        cal.add((net.fortuna.ical4j.model.component.CalendarComponent) master.build());
        for (Component o : overrides) {
            cal.add((net.fortuna.ical4j.model.component.CalendarComponent) o);
        }
        return cal;
    }

    private static Component override(WbxmlElement master, WbxmlElement ex, EasTimeZone tz, boolean masterAllDay,
                                      String uid, Instant now) {
        // the occurrence: the master's fields, replaced by the exception's
        List<WbxmlElement> merged = new ArrayList<>();
        for (WbxmlElement child : master.children()) {
            String name = child.page().namespace() + ":" + child.name();
            if (!name.equals("Calendar:Recurrence") && !name.equals("Calendar:Exceptions")
                    && ex.child(child.name()) == null) {
                merged.add(child);
            }
        }
        for (WbxmlElement child : ex.children()) {
            if (!child.matches("Calendar:Deleted") && !child.matches("Calendar:ExceptionStartTime")) {
                merged.add(child);
            }
        }
        WbxmlElement occurrence = WbxmlElement.el("AirSync:ApplicationData").children(merged).build();
        boolean allDay = "1".equals(occurrence.childText("Calendar:AllDayEvent"));
        ComponentBuilder<?> b = Ics.component("VEVENT");
        b.property(Ics.prop("UID", uid));
        String when = ex.childText("Calendar:ExceptionStartTime");
        b.property(masterAllDay ? Ics.prop("RECURRENCE-ID", localDate(when, tz), "VALUE", "DATE")
                : Ics.prop("RECURRENCE-ID", when));
        b.property(Ics.prop("DTSTAMP", Objects.requireNonNullElse(occurrence.childText("Calendar:DtStamp"),
                COMPACT.format(now))));
        eventFields(b, occurrence, tz, allDay, false);
        return b.build();
    }

    private static void eventFields(ComponentBuilder<?> b, WbxmlElement data, EasTimeZone tz, boolean allDay,
                                    boolean master) {
        String start = data.childText("Calendar:StartTime");
        String end = data.childText("Calendar:EndTime");
        if (start != null) {
            b.property(allDay ? Ics.prop("DTSTART", localDate(start, tz), "VALUE", "DATE")
                    : Ics.prop("DTSTART", start));
        }
        if (end != null) {
            b.property(allDay ? Ics.prop("DTEND", localDate(end, tz), "VALUE", "DATE") : Ics.prop("DTEND", end));
        }
        text(b, "SUMMARY", data.childText("Calendar:Subject"));
        text(b, "LOCATION", data.childText("Calendar:Location"));
        body(b, data.child("AirSyncBase:Body"));
        String sensitivity = data.childText("Calendar:Sensitivity");
        if (sensitivity != null) {
            b.property(Ics.prop("CLASS", CLASSES[bounded(sensitivity, CLASSES.length)]));
        }
        String busy = data.childText("Calendar:BusyStatus");
        if (busy != null) {
            int status = bounded(busy, BUSY.length);
            b.property(Ics.prop("TRANSP", status == 0 ? "TRANSPARENT" : "OPAQUE"));
            b.property(Ics.prop("X-MICROSOFT-CDO-BUSYSTATUS", BUSY[status]));
        }
        String allDayText = data.childText("Calendar:AllDayEvent");
        if (allDayText != null) {
            b.property(Ics.prop("X-MICROSOFT-CDO-ALLDAYEVENT", "1".equals(allDayText) ? "TRUE" : "FALSE"));
        }
        String meetingStatus = data.childText("Calendar:MeetingStatus");
        if (meetingStatus != null) {
            b.property(Ics.prop("X-EASGATE-MEETINGSTATUS", meetingStatus));
            int status = Integer.parseInt(meetingStatus.trim());
            if ((status & 4) != 0) {
                b.property(Ics.prop("STATUS", "CANCELLED"));
            }
        }
        String organizer = data.childText("Calendar:OrganizerEmail");
        if (organizer != null) {
            b.property(Ics.prop("ORGANIZER", "mailto:" + organizer, "CN", quoted(
                    data.childText("Calendar:OrganizerName"))));
        } else if (data.childText("Calendar:OrganizerName") != null) {
            b.property(Ics.prop("X-EASGATE-ORGANIZERNAME", data.childText("Calendar:OrganizerName")));
        }
        WbxmlElement attendees = data.child("Calendar:Attendees");
        if (attendees != null) {
            for (WbxmlElement a : attendees.children("Calendar:Attendee")) {
                b.property(attendee(a));
            }
        }
        categories(b, data.child("Calendar:Categories"));
        String reminder = data.childText("Calendar:Reminder");
        if (reminder != null) {
            b.subComponent(Ics.component("VALARM")
                    .property(Ics.prop("ACTION", "DISPLAY"))
                    .property(Ics.prop("DESCRIPTION", "Reminder"))
                    .property(Ics.prop("TRIGGER", "-PT" + reminder.trim() + "M"))
                    .build());
        }
    }

    private static Property attendee(WbxmlElement a) {
        String status = a.childText("Calendar:AttendeeStatus");
        String type = a.childText("Calendar:AttendeeType");
        String partstat = status == null ? null : switch (status.trim()) {
            case "2" -> "TENTATIVE";
            case "3" -> "ACCEPTED";
            case "4" -> "DECLINED";
            default -> "NEEDS-ACTION";
        };
        String role = type == null ? null : switch (type.trim()) {
            case "2" -> "OPT-PARTICIPANT";
            case "3" -> "NON-PARTICIPANT";
            default -> "REQ-PARTICIPANT";
        };
        return Ics.prop("ATTENDEE", "mailto:" + a.childText("Calendar:Email"),
                "CN", quoted(a.childText("Calendar:Name")),
                "PARTSTAT", partstat,
                "ROLE", role,
                "CUTYPE", "3".equals(type) ? "RESOURCE" : null,
                // 0 (unknown) and 5 (not responded) are both NEEDS-ACTION: keep which
                "X-EAS-ATTENDEESTATUS", status,
                "X-EAS-ATTENDEETYPE", type);
    }

    private static String quoted(String value) {
        if (value == null) {
            return null;
        }
        return value.matches(".*[:;,].*") ? "\"" + value.replace("\"", "'") + "\"" : value;
    }

    static void text(ComponentBuilder<?> b, String name, String value) {
        if (value != null) {
            b.property(Ics.prop(name, escapeText(value)));
        }
    }

    /** RFC 5545 3.3.11 TEXT escaping (the builder takes the value as written in the file). */
    static String escapeText(String value) {
        return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")
                .replace("\n", "\\n");
    }

    static void body(ComponentBuilder<?> b, WbxmlElement body) {
        if (body == null) {
            return;
        }
        String type = body.childText("AirSyncBase:Type");
        String data = body.childText("AirSyncBase:Data");
        if (data == null) {
            return;
        }
        if (type == null || "1".equals(type)) {
            b.property(Ics.prop("DESCRIPTION", escapeText(data.replace("\r\n", "\n"))));
        } else {
            b.property(Ics.prop("X-ALT-DESC", escapeText(data), "FMTTYPE",
                    "2".equals(type) ? "text/html" : "3".equals(type) ? "application/rtf" : "message/rfc822"));
        }
    }

    static void categories(ComponentBuilder<?> b, WbxmlElement categories) {
        if (categories == null) {
            return;
        }
        for (WbxmlElement c : categories.children()) {
            b.property(Ics.prop("CATEGORIES", escapeText(c.textOrOpaqueUtf8())));
        }
    }

    private static int bounded(String value, int size) {
        int n = Integer.parseInt(value.trim());
        return n < 0 || n >= size ? 0 : n;
    }

    private static String localDate(String compact, EasTimeZone tz) {
        Instant instant = Instant.from(COMPACT.parse(compact));
        return DATE.format(LocalDateTime.ofInstant(instant, tz.offsetAt(instant)).toLocalDate());
    }

    private static String fromLocalDate(String date, EasTimeZone tz) {
        LocalDate day = LocalDate.parse(date.substring(0, 8), DATE);
        Instant guess = day.atStartOfDay().toInstant(tz.standardOffset());
        return COMPACT.format(day.atStartOfDay().toInstant(tz.offsetAt(guess)));
    }

    static String rrule(WbxmlElement r) {
        String type = r.childText("Type");
        String interval = r.childText("Interval");
        String dayOfWeek = r.childText("DayOfWeek");
        String dayOfMonth = r.childText("DayOfMonth");
        String week = r.childText("WeekOfMonth");
        String month = r.childText("MonthOfYear");
        StringBuilder rule = new StringBuilder("FREQ=").append(switch (type == null ? "0" : type.trim()) {
            case "1" -> "WEEKLY";
            case "2", "3" -> "MONTHLY";
            case "5", "6" -> "YEARLY";
            default -> "DAILY";
        });
        if (interval != null) {
            rule.append(";INTERVAL=").append(interval.trim());
        }
        if (r.childText("Occurrences") != null) {
            rule.append(";COUNT=").append(r.childText("Occurrences").trim());
        }
        if (r.childText("Until") != null) {
            rule.append(";UNTIL=").append(compactOf(r.childText("Until")));
        }
        if (dayOfWeek != null) {
            int mask = Integer.parseInt(dayOfWeek.trim());
            List<String> days = new ArrayList<>();
            String prefix = week == null ? "" : "5".equals(week.trim()) ? "-1" : week.trim();
            for (int i = 0; i < 7; i++) {
                if ((mask & (1 << i)) != 0) {
                    days.add(prefix + DAYS.get(i));
                }
            }
            rule.append(";BYDAY=").append(String.join(",", days));
        } else if (week != null) {
            rule.append(";").append(RecurrencePattern.WEEK_OF_MONTH_PART).append("=").append(week.trim());
        }
        if (dayOfMonth != null) {
            rule.append(";BYMONTHDAY=").append(dayOfMonth.trim());
        }
        if (month != null) {
            rule.append(";BYMONTH=").append(month.trim());
        }
        if (r.childText("FirstDayOfWeek") != null) {
            rule.append(";WKST=").append(DAYS.get(bounded(r.childText("FirstDayOfWeek"), 7)));
        }
        return rule.toString();
    }

    /** Compact DateTime from either EAS date form. */
    static String compactOf(String easDate) {
        String v = easDate.trim();
        if (v.contains("-")) {
            return COMPACT.format(Instant.parse(v));
        }
        return v;
    }

    // ================================ Calendar: iCalendar -> EAS ================================================

    static WbxmlElement eventToEas(Calendar cal) {
        List<Component> events = Ics.components(cal, "VEVENT");
        Component master = events.stream().filter(e -> e.getProperty("RECURRENCE-ID").isEmpty()).findFirst()
                .orElse(events.isEmpty() ? null : events.get(0));
        if (master == null) {
            throw new IllegalArgumentException("no VEVENT");
        }
        Property dtstart = master.<Property>getProperty("DTSTART").orElse(null);
        EasTimeZone tz = zoneOf(cal, dtstart);
        boolean hasZone = !Ics.components(cal, "VTIMEZONE").isEmpty() || (dtstart != null
                && Ics.param(dtstart, "TZID") != null);
        boolean allDay = dtstart != null && !dtstart.getValue().contains("T");
        WbxmlElement.Builder d = WbxmlElement.el("AirSync:ApplicationData");
        if (hasZone) {
            d.child("Calendar:Timezone", tz.encode());
        }
        d.optional("Calendar:DtStamp", Ics.value(master, "DTSTAMP"));
        d.optional("Calendar:StartTime", instant(dtstart, tz, cal));
        d.optional("Calendar:Subject", Ics.value(master, "SUMMARY"));
        d.optional("Calendar:UID", Ics.value(master, "UID"));
        Property organizer = master.<Property>getProperty("ORGANIZER").orElse(null);
        if (organizer != null) {
            d.optional("Calendar:OrganizerName", Ics.param(organizer, "CN"));
            d.child("Calendar:OrganizerEmail", mailto(organizer.getValue()));
        } else {
            d.optional("Calendar:OrganizerName", Ics.value(master, "X-EASGATE-ORGANIZERNAME"));
        }
        d.optional("Calendar:Location", Ics.value(master, "LOCATION"));
        d.optional("Calendar:EndTime", instant(master.<Property>getProperty("DTEND").orElse(null), tz, cal));
        String rrule = Ics.value(master, "RRULE");
        if (rrule != null) {
            d.child(RecurrencePattern.of(rrule).element("Calendar:Recurrence", COMPACT));
        }
        common(d, master, "Calendar", allDay);
        List<WbxmlElement> exceptions = new ArrayList<>();
        for (Property exdate : Ics.all(master, "EXDATE")) {
            for (String value : exdate.getValue().split(",")) {
                exceptions.add(WbxmlElement.el("Calendar:Exception").child("Deleted", "1")
                        .child("ExceptionStartTime", value.contains("T") ? instantOf(value, Ics.param(exdate,
                                "TZID"), tz, cal) : fromLocalDate(value, tz))
                        .build());
            }
        }
        WbxmlElement masterData = d.build();
        for (Component o : events) {
            if (o == master || o.getProperty("RECURRENCE-ID").isEmpty()) {
                continue;
            }
            Property rid = o.<Property>getProperty("RECURRENCE-ID").get();
            WbxmlElement.Builder e = WbxmlElement.el("Calendar:Exception");
            e.child("ExceptionStartTime", instant(rid, tz, cal));
            WbxmlElement.Builder od = WbxmlElement.el("AirSync:ApplicationData");
            od.optional("Calendar:Subject", Ics.value(o, "SUMMARY"));
            od.optional("Calendar:StartTime", instant(o.<Property>getProperty("DTSTART").orElse(null), tz, cal));
            od.optional("Calendar:EndTime", instant(o.<Property>getProperty("DTEND").orElse(null), tz, cal));
            Property ostart = o.<Property>getProperty("DTSTART").orElse(null);
            common(od, o, "Calendar", ostart != null && !ostart.getValue().contains("T"));
            od.optional("Calendar:Location", Ics.value(o, "LOCATION"));
            od.optional("Calendar:DtStamp", Ics.value(o, "DTSTAMP"));
            // an exception holds what differs from the series
            for (String name : List.of("Subject", "StartTime", "EndTime", "Body", "Location", "Sensitivity",
                    "BusyStatus", "AllDayEvent", "Reminder", "DtStamp", "MeetingStatus", "Attendees",
                    "Categories")) {
                WbxmlElement value = od.build().child(name);
                if (value != null && !value.equals(masterData.child(name))) {
                    e.child(value);
                }
            }
            exceptions.add(e.build());
        }
        if (!exceptions.isEmpty()) {
            exceptions.sort(java.util.Comparator.comparing(x -> x.childText("ExceptionStartTime")));
            d.child(WbxmlElement.el("Calendar:Exceptions").children(exceptions).build());
        }
        return d.build();
    }

    /** Body, Sensitivity, BusyStatus, AllDayEvent, Reminder, MeetingStatus, Attendees, Categories. */
    private static void common(WbxmlElement.Builder d, Component c, String page, boolean allDay) {
        WbxmlElement body = bodyOf(c);
        if (body != null) {
            d.child(body);
        }
        String clazz = Ics.value(c, "CLASS");
        if (clazz != null) {
            int i = List.of(CLASSES).indexOf(clazz.toUpperCase(Locale.ROOT));
            d.child("Calendar:Sensitivity", Integer.toString(Math.max(0, i)));
        }
        String busy = Ics.value(c, "X-MICROSOFT-CDO-BUSYSTATUS");
        String transp = Ics.value(c, "TRANSP");
        if (busy != null) {
            d.child("Calendar:BusyStatus", Integer.toString(Math.max(0, List.of(BUSY).indexOf(busy))));
        } else if (transp != null) {
            d.child("Calendar:BusyStatus", "TRANSPARENT".equals(transp) ? "0" : "2");
        }
        String allDayFlag = Ics.value(c, "X-MICROSOFT-CDO-ALLDAYEVENT");
        if (allDayFlag != null || c.getProperty("DTSTART").isPresent()) {
            d.child("Calendar:AllDayEvent", allDayFlag != null ? ("TRUE".equals(allDayFlag) ? "1" : "0")
                    : allDay ? "1" : "0");
        }
        for (Component alarm : Ics.subComponents(c, "VALARM")) {
            String trigger = Ics.value(alarm, "TRIGGER");
            if (trigger != null && (trigger.startsWith("-P") || trigger.startsWith("P"))) {
                long minutes = -java.time.Duration.parse(trigger).toMinutes();
                d.child("Calendar:Reminder", Long.toString(Math.max(0, minutes)));
                break;
            }
        }
        String meetingStatus = Ics.value(c, "X-EASGATE-MEETINGSTATUS");
        if (meetingStatus != null) {
            d.child("Calendar:MeetingStatus", meetingStatus);
        } else if (c.getProperty("ORGANIZER").isPresent()) {
            d.child("Calendar:MeetingStatus", "CANCELLED".equals(Ics.value(c, "STATUS")) ? "5" : "1");
        }
        List<Property> attendees = Ics.all(c, "ATTENDEE");
        if (!attendees.isEmpty()) {
            WbxmlElement.Builder list = WbxmlElement.el("Calendar:Attendees");
            for (Property a : attendees) {
                WbxmlElement.Builder at = WbxmlElement.el("Calendar:Attendee");
                at.child("Email", mailto(a.getValue()));
                at.optional("Name", Ics.param(a, "CN"));
                String status = Ics.param(a, "X-EAS-ATTENDEESTATUS");
                String partstat = Ics.param(a, "PARTSTAT");
                if (status == null && partstat != null) {
                    status = switch (partstat) {
                        case "TENTATIVE" -> "2";
                        case "ACCEPTED" -> "3";
                        case "DECLINED" -> "4";
                        default -> "5";
                    };
                }
                at.optional("AttendeeStatus", status);
                String type = Ics.param(a, "X-EAS-ATTENDEETYPE");
                String role = Ics.param(a, "ROLE");
                if (type == null && role != null) {
                    type = "RESOURCE".equals(Ics.param(a, "CUTYPE")) ? "3"
                            : "OPT-PARTICIPANT".equals(role) ? "2" : "1";
                }
                at.optional("AttendeeType", type);
                list.child(at);
            }
            d.child(list);
        }
        List<Property> categories = Ics.all(c, "CATEGORIES");
        if (!categories.isEmpty()) {
            WbxmlElement.Builder list = WbxmlElement.el(page + ":Categories");
            for (Property p : categories) {
                list.child("Category", p.getValue());
            }
            d.child(list);
        }
    }

    static WbxmlElement bodyOf(Component c) {
        String description = Ics.value(c, "DESCRIPTION");
        if (description != null && !(c.getName().equals("VALARM"))) {
            return WbxmlElement.el("AirSyncBase:Body").child("Type", "1")
                    .child("Data", description.replace("\r\n", "\n").replace("\n", "\r\n")).build();
        }
        Property alt = c.<Property>getProperty("X-ALT-DESC").orElse(null);
        if (alt != null) {
            String type = switch (Objects.requireNonNullElse(Ics.param(alt, "FMTTYPE"), "text/html")) {
                case "application/rtf" -> "3";
                case "message/rfc822" -> "4";
                default -> "2";
            };
            return WbxmlElement.el("AirSyncBase:Body").child("Type", type).child("Data", alt.getValue()).build();
        }
        return null;
    }

    private static String mailto(String uri) {
        return uri.regionMatches(true, 0, "mailto:", 0, 7) ? uri.substring(7) : uri;
    }

    private static EasTimeZone zoneOf(Calendar cal, Property dtstart) {
        String tzid = dtstart == null ? null : Ics.param(dtstart, "TZID");
        List<Component> zones = Ics.components(cal, "VTIMEZONE");
        for (Component z : zones) {
            if (tzid == null ? zones.size() == 1 : tzid.equals(Ics.value(z, "TZID"))) {
                return EasTimeZone.fromVTimeZone((VTimeZone) z);
            }
        }
        return tzid == null ? EasTimeZone.UTC : EasTimeZone.fromZoneId(tzid);
    }

    private static String instant(Property p, EasTimeZone tz, Calendar cal) {
        if (p == null) {
            return null;
        }
        String v = p.getValue();
        if (!v.contains("T")) {
            return fromLocalDate(v, tz);
        }
        return instantOf(v, Ics.param(p, "TZID"), tz, cal);
    }

    private static String instantOf(String v, String tzid, EasTimeZone tz, Calendar cal) {
        if (v.endsWith("Z")) {
            return v;
        }
        LocalDateTime local = LocalDateTime.parse(v, DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"));
        EasTimeZone zone = tzid == null ? tz : zoneById(cal, tzid);
        Instant guess = local.toInstant(zone.standardOffset());
        return COMPACT.format(local.toInstant(zone.offsetAt(guess)));
    }

    private static EasTimeZone zoneById(Calendar cal, String tzid) {
        for (Component z : Ics.components(cal, "VTIMEZONE")) {
            if (tzid.equals(Ics.value(z, "TZID"))) {
                return EasTimeZone.fromVTimeZone((VTimeZone) z);
            }
        }
        return EasTimeZone.fromZoneId(tzid);
    }

    // ================================ Tasks ======================================================================

    static Calendar taskToIcal(WbxmlElement data, String uid, Instant now) {
        Calendar cal = newCalendar();
        ComponentBuilder<?> t = Ics.component("VTODO");
        t.property(Ics.prop("UID", uid));
        t.property(Ics.prop("DTSTAMP", COMPACT.format(now)));
        text(t, "SUMMARY", data.childText("Tasks:Subject"));
        body(t, data.child("AirSyncBase:Body"));
        String importance = data.childText("Tasks:Importance");
        if (importance != null) {
            t.property(Ics.prop("PRIORITY", switch (importance.trim()) {
                case "0" -> "9";
                case "2" -> "1";
                default -> "5";
            }));
        }
        taskDate(t, "DTSTART", data.childText("Tasks:UtcStartDate"));
        taskDate(t, "X-EASGATE-STARTDATE", data.childText("Tasks:StartDate"));
        taskDate(t, "DUE", data.childText("Tasks:UtcDueDate"));
        taskDate(t, "X-EASGATE-DUEDATE", data.childText("Tasks:DueDate"));
        categories(t, data.child("Tasks:Categories"));
        WbxmlElement recurrence = data.child("Tasks:Recurrence");
        if (recurrence != null) {
            t.property(Ics.prop("RRULE", rrule(recurrence)));
            taskDate(t, "X-EASGATE-RECURRENCE-START", recurrence.childText("Start"));
            if (recurrence.childText("Regenerate") != null) {
                t.property(Ics.prop("X-EASGATE-REGENERATE", recurrence.childText("Regenerate")));
            }
            if (recurrence.childText("DeadOccur") != null) {
                t.property(Ics.prop("X-EASGATE-DEADOCCUR", recurrence.childText("DeadOccur")));
            }
        }
        String complete = data.childText("Tasks:Complete");
        if (complete != null) {
            t.property(Ics.prop("STATUS", "1".equals(complete) ? "COMPLETED" : "NEEDS-ACTION"));
        }
        taskDate(t, "COMPLETED", data.childText("Tasks:DateCompleted"));
        String sensitivity = data.childText("Tasks:Sensitivity");
        if (sensitivity != null) {
            t.property(Ics.prop("CLASS", CLASSES[bounded(sensitivity, CLASSES.length)]));
        }
        String reminderSet = data.childText("Tasks:ReminderSet");
        String reminderTime = data.childText("Tasks:ReminderTime");
        if (reminderTime != null) {
            var alarm = Ics.component("VALARM").property(Ics.prop("ACTION", "DISPLAY"))
                    .property(Ics.prop("DESCRIPTION", "Reminder"))
                    .property(Ics.prop("TRIGGER", compactOf(reminderTime), "VALUE", "DATE-TIME"));
            if ("0".equals(reminderSet)) {
                alarm.property(Ics.prop("X-EASGATE-DISABLED", "TRUE"));
            }
            t.subComponent(alarm.build());
        } else if (reminderSet != null) {
            t.property(Ics.prop("X-EASGATE-REMINDERSET", reminderSet));
        }
        cal.add((net.fortuna.ical4j.model.component.CalendarComponent) t.build());
        return cal;
    }

    private static void taskDate(ComponentBuilder<?> t, String name, String easDate) {
        if (easDate != null) {
            t.property(Ics.prop(name, compactOf(easDate)));
        }
    }

    static WbxmlElement taskToEas(Calendar cal) {
        List<Component> todos = Ics.components(cal, "VTODO");
        if (todos.isEmpty()) {
            throw new IllegalArgumentException("no VTODO");
        }
        Component t = todos.get(0);
        WbxmlElement.Builder d = WbxmlElement.el("AirSync:ApplicationData");
        WbxmlElement body = bodyOf(t);
        if (body != null) {
            d.child(body);
        }
        d.optional("Tasks:Subject", Ics.value(t, "SUMMARY"));
        String priority = Ics.value(t, "PRIORITY");
        if (priority != null) {
            int p = Integer.parseInt(priority.trim());
            d.child("Tasks:Importance", p == 0 || p == 5 ? "1" : p < 5 ? "2" : "0");
        }
        d.optional("Tasks:UtcStartDate", taskDateOf(Ics.value(t, "DTSTART")));
        d.optional("Tasks:StartDate", taskDateOf(Ics.value(t, "X-EASGATE-STARTDATE")));
        d.optional("Tasks:UtcDueDate", taskDateOf(Ics.value(t, "DUE")));
        d.optional("Tasks:DueDate", taskDateOf(Ics.value(t, "X-EASGATE-DUEDATE")));
        List<Property> categories = Ics.all(t, "CATEGORIES");
        if (!categories.isEmpty()) {
            WbxmlElement.Builder list = WbxmlElement.el("Tasks:Categories");
            for (Property p : categories) {
                list.child("Category", p.getValue());
            }
            d.child(list);
        }
        String rrule = Ics.value(t, "RRULE");
        if (rrule != null) {
            WbxmlElement r = RecurrencePattern.of(rrule).element("Tasks:Recurrence", TASK_DATE);
            WbxmlElement.Builder rb = WbxmlElement.el("Tasks:Recurrence");
            rb.child(r.child("Type"));
            rb.optional("Start", taskDateOf(Ics.value(t, "X-EASGATE-RECURRENCE-START")));
            for (WbxmlElement c : r.children()) {
                if (!c.matches("Type")) {
                    rb.child(c);
                }
            }
            rb.optional("Regenerate", Ics.value(t, "X-EASGATE-REGENERATE"));
            rb.optional("DeadOccur", Ics.value(t, "X-EASGATE-DEADOCCUR"));
            d.child(rb);
        }
        String status = Ics.value(t, "STATUS");
        if (status != null) {
            d.child("Tasks:Complete", "COMPLETED".equals(status) ? "1" : "0");
        }
        d.optional("Tasks:DateCompleted", taskDateOf(Ics.value(t, "COMPLETED")));
        String clazz = Ics.value(t, "CLASS");
        if (clazz != null) {
            d.child("Tasks:Sensitivity", Integer.toString(Math.max(0, List.of(CLASSES).indexOf(clazz))));
        }
        List<Component> alarms = Ics.subComponents(t, "VALARM");
        if (!alarms.isEmpty() && Ics.value(alarms.get(0), "TRIGGER") != null
                && Ics.value(alarms.get(0), "TRIGGER").endsWith("Z")) {
            d.child("Tasks:ReminderTime", taskDateOf(Ics.value(alarms.get(0), "TRIGGER")));
            d.child("Tasks:ReminderSet", alarms.get(0).getProperty("X-EASGATE-DISABLED").isPresent() ? "0" : "1");
        } else {
            d.optional("Tasks:ReminderSet", Ics.value(t, "X-EASGATE-REMINDERSET"));
        }
        return d.build();
    }

    private static String taskDateOf(String value) {
        if (value == null) {
            return null;
        }
        String v = value.length() == 8 ? value + "T000000Z" : value.endsWith("Z") ? value : value + "Z";
        return TASK_DATE.format(Instant.from(COMPACT.parse(v)));
    }

    static ItemClass classOf(Calendar cal) {
        if (!Ics.components(cal, "VEVENT").isEmpty()) {
            return ItemClass.CALENDAR;
        }
        return Ics.components(cal, "VTODO").isEmpty() ? null : ItemClass.TASKS;
    }
}
