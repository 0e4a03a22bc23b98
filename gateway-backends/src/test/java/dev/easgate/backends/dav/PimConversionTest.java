package dev.easgate.backends.dav;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.memory.DemoMailbox;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.memory.MailboxSeeder;
import dev.easgate.wbxml.WbxmlElement;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * EAS -> DAV -> EAS without a server: the phone gets back exactly the tree it sent (through the X-EASGATE-EAS
 * copy), and the native iCalendar/vCard conversion alone (copy removed: as if another client rewrote the resource)
 * carries every field it maps, compared regardless of element order.
 */
class PimConversionTest {
    private static final Instant NOW = Instant.parse("2025-06-02T10:00:00Z");

    /** W. Europe Standard Time: UTC+1, daylight +2 from the last Sunday of March 02:00 to the last of October 03:00. */
    static String berlin() {
        ByteBuffer b = ByteBuffer.allocate(172).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(-60);
        name(b, "W. Europe Standard Time");
        b.putShort((short) 0).putShort((short) 10).putShort((short) 0).putShort((short) 5).putShort((short) 3)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.putInt(0);
        name(b, "W. Europe Daylight Time");
        b.putShort((short) 0).putShort((short) 3).putShort((short) 0).putShort((short) 5).putShort((short) 2)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.putInt(-60);
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static void name(ByteBuffer b, String name) {
        byte[] utf16 = name.getBytes(StandardCharsets.UTF_16LE);
        int start = b.position();
        b.put(utf16);
        b.position(start + 64);
    }

    static WbxmlElement meeting() {
        return el("AirSync:ApplicationData")
                .child("Calendar:Timezone", berlin())
                .child("Calendar:DtStamp", "20250601T080000Z")
                .child("Calendar:StartTime", "20250602T070000Z")
                .child("Calendar:Subject", "Weekly sync; planning, review")
                .child("Calendar:UID", "0A1B2C3D-EASGATE-TEST")
                .child("Calendar:OrganizerName", "Ada Lovelace")
                .child("Calendar:OrganizerEmail", "ada@example.com")
                .child("Calendar:Location", "Room 2.14")
                .child("Calendar:EndTime", "20250602T080000Z")
                .child("Calendar:Recurrence", r -> r.child("Type", "1").child("Occurrences", "10")
                        .child("Interval", "1").child("DayOfWeek", "2"))
                .child(el("AirSyncBase:Body").child("Type", "1").child("Data", "Agenda:\r\n1. goals\r\n2. risks"))
                .child("Calendar:Sensitivity", "0")
                .child("Calendar:BusyStatus", "2")
                .child("Calendar:AllDayEvent", "0")
                .child("Calendar:Reminder", "15")
                .child("Calendar:MeetingStatus", "1")
                .child("Calendar:Attendees", list -> list
                        .child("Attendee", a -> a.child("Email", "bob@example.com").child("Name", "Bob Martin")
                                .child("AttendeeStatus", "3").child("AttendeeType", "1"))
                        .child("Attendee", a -> a.child("Email", "carol@example.org").child("Name", "Carol")
                                .child("AttendeeStatus", "4").child("AttendeeType", "2"))
                        .child("Attendee", a -> a.child("Email", "room@example.com").child("Name", "Room 2.14")
                                .child("AttendeeStatus", "0").child("AttendeeType", "3")))
                .child("Calendar:Categories", c -> c.child("Category", "Work").child("Category", "Planning"))
                .child("Calendar:Exceptions", list -> list
                        .child("Exception", e -> e.child("Deleted", "1")
                                .child("ExceptionStartTime", "20250609T070000Z"))
                        .child("Exception", e -> e.child("ExceptionStartTime", "20250616T070000Z")
                                .child("Subject", "Weekly sync (moved)")
                                .child("StartTime", "20250616T090000Z")
                                .child("EndTime", "20250616T100000Z")
                                .child("Location", "Room 3.01")))
                // not in iCalendar: kept by the copy only
                .child("Calendar:ResponseRequested", "1")
                .child("Calendar:DisallowNewTimeProposal", "0")
                .build();
    }

    static WbxmlElement allDay() {
        return el("AirSync:ApplicationData")
                .child("Calendar:Timezone", berlin())
                .child("Calendar:DtStamp", "20250601T080000Z")
                .child("Calendar:StartTime", "20250608T220000Z")
                .child("Calendar:Subject", "Company holiday")
                .child("Calendar:UID", "ALLDAY-1")
                .child("Calendar:EndTime", "20250609T220000Z")
                .child("Calendar:Sensitivity", "2")
                .child("Calendar:BusyStatus", "3")
                .child("Calendar:AllDayEvent", "1")
                .build();
    }

    static WbxmlElement task() {
        return el("AirSync:ApplicationData")
                .child(el("AirSyncBase:Body").child("Type", "1").child("Data", "Receipts, in the blue folder."))
                .child("Tasks:Subject", "Submit expense report")
                .child("Tasks:Importance", "2")
                .child("Tasks:UtcStartDate", "2025-06-01T00:00:00.000Z")
                .child("Tasks:StartDate", "2025-06-01T00:00:00.000Z")
                .child("Tasks:UtcDueDate", "2025-06-04T00:00:00.000Z")
                .child("Tasks:DueDate", "2025-06-04T00:00:00.000Z")
                .child("Tasks:Categories", c -> c.child("Category", "Finance"))
                .child("Tasks:Recurrence", r -> r.child("Type", "2").child("Start", "2025-06-01T00:00:00.000Z")
                        .child("Interval", "1").child("DayOfMonth", "4").child("Regenerate", "0")
                        .child("DeadOccur", "0"))
                .child("Tasks:Complete", "0")
                .child("Tasks:Sensitivity", "0")
                .child("Tasks:ReminderTime", "2025-06-03T08:00:00.000Z")
                .child("Tasks:ReminderSet", "1")
                .build();
    }

    static WbxmlElement contact() {
        byte[] photo = new byte[600];
        for (int i = 0; i < photo.length; i++) {
            photo[i] = (byte) (i * 7);
        }
        photo[0] = (byte) 0xFF;
        photo[1] = (byte) 0xD8;
        return el("AirSync:ApplicationData")
                .child(el("AirSyncBase:Body").child("Type", "1").child("Data", "Met at the summit.\r\nLikes tea."))
                .child("Contacts:Anniversary", "2015-06-20T00:00:00.000Z")
                .child("Contacts:AssistantName", "Igor")
                .child("Contacts:AssistantPhoneNumber", "+1 555 0199")
                .child("Contacts:Birthday", "1988-04-12T00:00:00.000Z")
                .child("Contacts:Business2PhoneNumber", "+1 555 0102")
                .child("Contacts:BusinessAddressCity", "Boston")
                .child("Contacts:BusinessAddressCountry", "USA")
                .child("Contacts:BusinessAddressPostalCode", "02110")
                .child("Contacts:BusinessAddressState", "MA")
                .child("Contacts:BusinessAddressStreet", "1 Main Street")
                .child("Contacts:BusinessFaxNumber", "+1 555 0103")
                .child("Contacts:BusinessPhoneNumber", "+1 555 0101")
                .child("Contacts:CarPhoneNumber", "+1 555 0104")
                .child("Contacts:Categories", c -> c.child("Category", "Friends").child("Category", "Work"))
                .child("Contacts:Children", c -> c.child("Child", "Tim").child("Child", "Tom"))
                .child("Contacts:CompanyName", "Example Corp")
                .child("Contacts:Department", "Product")
                .child("Contacts:Email1Address", "\"Alice Walker\" <alice@example.com>")
                .child("Contacts:Email2Address", "alice.private@example.org")
                .child("Contacts:Email3Address", "aw@example.net")
                .child("Contacts:FileAs", "Walker, Alice")
                .child("Contacts:FirstName", "Alice")
                .child("Contacts:Home2PhoneNumber", "+1 555 0106")
                .child("Contacts:HomeAddressCity", "Cambridge")
                .child("Contacts:HomeAddressCountry", "USA")
                .child("Contacts:HomeAddressPostalCode", "02139")
                .child("Contacts:HomeAddressState", "MA")
                .child("Contacts:HomeAddressStreet", "5 Elm St; Apt 3")
                .child("Contacts:HomeFaxNumber", "+1 555 0107")
                .child("Contacts:HomePhoneNumber", "+1 555 0105")
                .child("Contacts:JobTitle", "Product Manager")
                .child("Contacts:LastName", "Walker")
                .child("Contacts:MiddleName", "Jane")
                .child("Contacts:MobilePhoneNumber", "+1 555 0100")
                .child("Contacts:OfficeLocation", "Building 4")
                .child("Contacts:OtherAddressCity", "Paris")
                .child("Contacts:OtherAddressCountry", "France")
                .child("Contacts:OtherAddressPostalCode", "75001")
                .child("Contacts:OtherAddressState", "IDF")
                .child("Contacts:OtherAddressStreet", "1 Rue de Rivoli")
                .child("Contacts:PagerNumber", "+1 555 0108")
                .child("Contacts:RadioPhoneNumber", "+1 555 0109")
                .child("Contacts:Spouse", "Sam")
                .child("Contacts:Suffix", "PhD")
                .child("Contacts:Title", "Dr.")
                .child("Contacts:WebPage", "https://alice.example.com/")
                .child("Contacts:YomiCompanyName", "Ekusanpuru")
                .child("Contacts:YomiFirstName", "Arisu")
                .child("Contacts:YomiLastName", "Uooka")
                .child("Contacts:Picture", Base64.getEncoder().encodeToString(photo))
                .child("Contacts2:CustomerId", "C-42")
                .child("Contacts2:GovernmentId", "G-7")
                .child("Contacts2:IMAddress", "alice@im.example.com")
                .child("Contacts2:IMAddress2", "xmpp:alice@jabber.example.org")
                .child("Contacts2:IMAddress3", "alice3")
                .child("Contacts2:ManagerName", "Grace")
                .child("Contacts2:CompanyMainPhone", "+1 555 0000")
                .child("Contacts2:AccountName", "awalker")
                .child("Contacts2:NickName", "Ally")
                .child("Contacts2:MMS", "+1 555 0110")
                .build();
    }

    private static void roundTrip(ItemClass itemClass, WbxmlElement data) {
        String text = PimCodec.toDav(itemClass, data, "uid-1", NOW);
        assertThat(PimCodec.toEas(itemClass, text)).as(text).isEqualTo(data);
        // the native conversion alone carries every field it handles
        String bare = text.replaceAll("(?m)^X-EASGATE-(EAS|FP)[:;].*\\r?\\n( .*\\r?\\n)*", "");
        assertThat(bare).doesNotContain("X-EASGATE-EAS");
        WbxmlElement converted = PimCodec.toEas(itemClass, bare);
        assertThat(canonical(converted)).as(bare).isEqualTo(canonical(handledOnly(data, itemClass)));
    }

    private static WbxmlElement handledOnly(WbxmlElement data, ItemClass itemClass) {
        List<WbxmlElement> kept = new ArrayList<>();
        for (WbxmlElement child : data.children()) {
            if (PimCodec.handled(itemClass).contains(child.page().namespace() + ":" + child.name())) {
                kept.add(child);
            }
        }
        return el("AirSync:ApplicationData").children(kept).build();
    }

    /** Order-insensitive rendering; Email1Address compared by address (vCard EMAIL holds the address only). */
    static String canonical(WbxmlElement e) {
        String text = e.textOrOpaqueUtf8();
        if (text != null && e.name().startsWith("Email") && e.name().endsWith("Address")) {
            text = VcardConverter.addressOf(text);
        }
        List<String> children = new ArrayList<>();
        for (WbxmlElement child : e.children()) {
            children.add(canonical(child));
        }
        if (!e.name().equals("Exceptions") && !e.name().equals("Attendees") && !e.name().equals("Categories")
                && !e.name().equals("Children")) {
            children.sort(Comparator.naturalOrder());
        }
        return e.page().namespace() + ":" + e.name() + (text == null ? "" : "=" + text) + children;
    }

    @Test
    void meetingWithTimeZoneRecurrenceExceptionsAttendeesAndReminder() {
        roundTrip(ItemClass.CALENDAR, meeting());
        String text = PimCodec.toDav(ItemClass.CALENDAR, meeting(), "uid-1", NOW).replace("\r\n ", "");
        assertThat(text).contains("BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time",
                "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "RRULE:FREQ=WEEKLY;COUNT=10;INTERVAL=1;BYDAY=MO",
                "EXDATE:20250609T070000Z", "RECURRENCE-ID:20250616T070000Z", "PARTSTAT=ACCEPTED",
                "PARTSTAT=DECLINED", "ROLE=OPT-PARTICIPANT", "CUTYPE=RESOURCE", "TRIGGER:-PT15M",
                "BEGIN:VALARM");
    }

    /**
     * A multistatus body gives calendar-data with bare LFs (XML normalises line ends); folded lines (every snapshot
     * is one) must still unfold, or a node reading events it did not write itself skips them.
     */
    @Test
    void anEventWhoseLinesEndInABareLfReadsTheSame() {
        String text = PimCodec.toDav(ItemClass.CALENDAR, meeting(), "uid-1", NOW);
        assertThat(text).contains("\r\n ");
        assertThat(PimCodec.toEas(ItemClass.CALENDAR, text.replace("\r\n", "\n"))).isEqualTo(meeting());
        String task = PimCodec.toDav(ItemClass.TASKS, task(), "uid-2", NOW);
        assertThat(PimCodec.toEas(ItemClass.TASKS, task.replace("\r\n", "\n"))).isEqualTo(task());
    }

    @Test
    void allDayEventInItsZone() {
        roundTrip(ItemClass.CALENDAR, allDay());
        assertThat(PimCodec.toDav(ItemClass.CALENDAR, allDay(), "u", NOW))
                .contains("DTSTART;VALUE=DATE:20250609", "DTEND;VALUE=DATE:20250610", "CLASS:PRIVATE");
    }

    @Test
    void taskWithDueDateReminderAndRecurrence() {
        roundTrip(ItemClass.TASKS, task());
        assertThat(PimCodec.toDav(ItemClass.TASKS, task(), "u", NOW))
                .contains("BEGIN:VTODO", "DUE:20250604T000000Z", "PRIORITY:1", "BYMONTHDAY=4");
    }

    @Test
    void contactWithEveryFieldAndAPhoto() {
        roundTrip(ItemClass.CONTACTS, contact());
        assertThat(PimCodec.toDav(ItemClass.CONTACTS, contact(), "u", NOW))
                .contains("BEGIN:VCARD", "VERSION:3.0", "N:Walker;Alice;Jane;Dr.;PhD", "PHOTO;", "ORG:Example Corp;Product",
                        "BDAY:1988-04-12", "EMAIL;", "alice@example.com");
    }

    @Test
    void theDemoItemsRoundTrip() {
        List<ItemContent.Pim> items = new ArrayList<>();
        AtomicInteger ids = new AtomicInteger();
        new DemoMailbox(Clock.fixed(NOW, ZoneOffset.UTC), "example.com").seed("demo", new MailboxSeeder.Target() {
            @Override
            public Folder folder(String parentId, String name, FolderType type) {
                return new Folder("f" + ids.incrementAndGet(), parentId, name, type);
            }

            @Override
            public dev.easgate.backends.mail.Item item(String folderId, ItemContent content, Instant date) {
                if (content instanceof ItemContent.Pim pim && pim.itemClass() != ItemClass.NOTES) {
                    items.add(pim);
                }
                return new dev.easgate.backends.mail.Item("i" + ids.incrementAndGet(), folderId, 1, date, content);
            }
        });
        assertThat(items).hasSizeGreaterThan(20);
        for (ItemContent.Pim pim : items) {
            roundTrip(pim.itemClass(), pim.applicationData());
        }
    }

    @Test
    void aTimeZoneBlobSurvivesVTimeZone() {
        EasTimeZone zone = EasTimeZone.decode(berlin());
        assertThat(EasTimeZone.fromVTimeZone(zone.toVTimeZone()).encode()).isEqualTo(berlin());
        assertThat(zone.offsetAt(Instant.parse("2025-07-01T12:00:00Z"))).isEqualTo(ZoneOffset.ofHours(2));
        assertThat(zone.offsetAt(Instant.parse("2025-01-01T12:00:00Z"))).isEqualTo(ZoneOffset.ofHours(1));
        EasTimeZone iana = EasTimeZone.fromZoneId("Europe/Berlin");
        assertThat(iana.bias()).isEqualTo(-60);
        assertThat(iana.daylightBias()).isEqualTo(-60);
        assertThat(iana.daylightDate()).isEqualTo(new EasTimeZone.Rule(3, 0, 5, 2, 0));
        assertThat(iana.standardDate()).isEqualTo(new EasTimeZone.Rule(10, 0, 5, 3, 0));
    }
}
