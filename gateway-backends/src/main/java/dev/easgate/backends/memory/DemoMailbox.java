package dev.easgate.backends.memory;

import static dev.easgate.wbxml.WbxmlElement.el;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.wbxml.WbxmlElement;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * A realistic mailbox for a new user, the same for the same clock reading: the standard folders plus Junk, Archive
 * and Inbox/Projects; some twenty emails in the Inbox over the last 30 days (plain text, text with HTML, one with an
 * attachment, some with non-ASCII subjects; some read, some flagged), a few in the other mail folders; ten contacts,
 * eight events (one all-day, one weekly, one meeting with attendees), five tasks and three notes.
 *
 * <p>PIM items are written as a phone would send them: AirSync ApplicationData with the elements of MS-ASCNTC,
 * MS-ASCAL, MS-ASTASK and MS-ASNOTE, bodies as AirSyncBase Body of Type 1 (plain text).
 */
public final class DemoMailbox implements MailboxSeeder {
    /** MS-ASDTYPE 2.7.2 Compact DateTime, used by Calendar times and Notes LastModifiedDate. */
    private static final DateTimeFormatter COMPACT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** MS-ASDTYPE 2.3 dateTime, used by Tasks dates and Contacts Birthday. */
    private static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** Calendar:Timezone for UTC: a base64 TIME_ZONE_INFORMATION (MS-ASDTYPE 2.7.4). */
    static final String UTC_TIME_ZONE = utcTimeZone();

    private final Clock clock;
    private final String domain;

    /** Mail addresses of the demo user are {@code <user>@<domain>}. */
    public DemoMailbox(Clock clock, String domain) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.domain = Objects.requireNonNull(domain, "domain");
    }

    @Override
    public void seed(String user, Target mailbox) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Person me = new Person(displayNameOf(user), user + "@" + domain);

        Folder inbox = mailbox.folder(Folder.ROOT, "Inbox", FolderType.INBOX);
        Folder drafts = mailbox.folder(Folder.ROOT, "Drafts", FolderType.DRAFTS);
        Folder deleted = mailbox.folder(Folder.ROOT, "Deleted Items", FolderType.DELETED_ITEMS);
        Folder sent = mailbox.folder(Folder.ROOT, "Sent Items", FolderType.SENT_ITEMS);
        mailbox.folder(Folder.ROOT, "Outbox", FolderType.OUTBOX);
        Folder junk = mailbox.folder(Folder.ROOT, "Junk", FolderType.USER_MAIL);
        Folder archive = mailbox.folder(Folder.ROOT, "Archive", FolderType.USER_MAIL);
        Folder calendar = mailbox.folder(Folder.ROOT, "Calendar", FolderType.CALENDAR);
        Folder contacts = mailbox.folder(Folder.ROOT, "Contacts", FolderType.CONTACTS);
        Folder tasks = mailbox.folder(Folder.ROOT, "Tasks", FolderType.TASKS);
        Folder notes = mailbox.folder(Folder.ROOT, "Notes", FolderType.NOTES);
        Folder projects = mailbox.folder(inbox.id(), "Projects", FolderType.USER_MAIL);

        Mails mails = new Mails(mailbox, me, now);
        seedInbox(mails, inbox.id());
        seedOtherMail(mails, me, projects.id(), sent.id(), drafts.id(), deleted.id(), junk.id(), archive.id());
        seedContacts(mailbox, contacts.id(), now);
        seedCalendar(mailbox, calendar.id(), me, now);
        seedTasks(mailbox, tasks.id(), now);
        seedNotes(mailbox, notes.id(), now);
    }

    private static String displayNameOf(String user) {
        String local = user.contains("@") ? user.substring(0, user.indexOf('@')) : user;
        return local.isEmpty() ? user : Character.toUpperCase(local.charAt(0)) + local.substring(1);
    }

    // ---- email --------------------------------------------------------------------------------------------------

    private record Person(String name, String address) {
        String header() {
            return DemoMime.mailbox(name, address);
        }
    }

    private static final Person ALICE = new Person("Alice Walker", "alice@example.com");
    private static final Person BOB = new Person("Bob Martin", "bob@example.com");
    private static final Person CAROL = new Person("Carol Nguyen", "carol.nguyen@example.org");
    private static final Person DAVE = new Person("Dave Okafor", "dave.okafor@example.net");
    private static final Person JUERGEN = new Person("Jürgen Müller", "juergen.mueller@example.de");
    private static final Person ZOE = new Person("Zoë Dubois", "zoe.dubois@example.fr");
    private static final Person HARUKI = new Person("佐藤 春樹", "haruki.sato@example.jp");
    private static final Person ELENI = new Person("Ελένη Παπαδοπούλου", "eleni@example.gr");
    private static final Person SHOP = new Person("Example Shop", "orders@shop.example.com");
    private static final Person NEWSLETTER = new Person("Team Newsletter", "newsletter@example.com");
    private static final Person IT = new Person("IT Support", "it-support@example.com");
    private static final Person CI = new Person("Build Server", "ci@example.com");

    /** How a message body is laid out. */
    private enum Layout { PLAIN, ALTERNATIVE, ATTACHMENT }

    /** Writes numbered messages into folders. */
    private final class Mails {
        private final Target mailbox;
        private final Person me;
        private final Instant now;
        private int number;

        Mails(Target mailbox, Person me, Instant now) {
            this.mailbox = mailbox;
            this.me = me;
            this.now = now;
        }

        /** A message from {@code from} to the user, received {@code hoursAgo} hours ago. */
        void received(String folderId, Person from, String subject, String body, Layout layout, int hoursAgo,
                      EmailFlags flags) {
            put(folderId, from, List.of(me), subject, body, layout, hoursAgo, flags);
        }

        void put(String folderId, Person from, List<Person> to, String subject, String body, Layout layout,
                 int hoursAgo, EmailFlags flags) {
            int n = ++number;
            Instant date = now.minus(Duration.ofHours(hoursAgo)).minus(Duration.ofMinutes(n * 7L % 60));
            List<String> headers = new ArrayList<>();
            headers.add("Date: " + DemoMime.date(date));
            headers.add("From: " + from.header());
            headers.add("To: " + String.join(", ", to.stream().map(Person::header).toList()));
            headers.add("Subject: " + DemoMime.encodedWords(subject));
            headers.add("Message-ID: <demo-" + n + "." + date.getEpochSecond() + "@" + domain + ">");
            String boundary = "=_easgate_demo_" + n;
            DemoMime.Part part = switch (layout) {
                case PLAIN -> DemoMime.text(body);
                case ALTERNATIVE -> DemoMime.multipart("alternative", boundary,
                        DemoMime.text(body), DemoMime.html(toHtml(body)));
                case ATTACHMENT -> DemoMime.multipart("mixed", boundary,
                        DemoMime.text(body),
                        DemoMime.attachment("text/csv", "q3-figures.csv", quarterFigures()));
            };
            mailbox.item(folderId, new ItemContent.Email(DemoMime.message(headers, part), flags), date);
        }
    }

    private static final EmailFlags READ = EmailFlags.UNREAD.withRead(true);
    private static final EmailFlags FLAGGED = EmailFlags.UNREAD.withFlagStatus(2);

    private static void seedInbox(Mails mails, String inbox) {
        mails.received(inbox, ALICE, "Welcome to easgate",
                "Hi,\n\nthis mailbox is served by easgate's in-memory demo backend. Everything you change here"
                        + " syncs to your phone and back.\n\nAlice", Layout.PLAIN, 2, EmailFlags.UNREAD);
        mails.received(inbox, JUERGEN, "Grüße aus München",
                "Hallo,\n\nviele Grüße aus München! Das Wetter ist herrlich, der Biergarten ist geöffnet.\n\n"
                        + "Bis bald,\nJürgen", Layout.PLAIN, 9, EmailFlags.UNREAD);
        mails.received(inbox, BOB, "Q3 figures",
                "Hi,\n\nattached are the Q3 figures as discussed. Revenue is up 4% on the quarter.\n\nBob",
                Layout.ATTACHMENT, 21, FLAGGED);
        mails.received(inbox, CAROL, "Lunch on Friday?",
                "Hey!\n\nAre you free for lunch on Friday? The new noodle place opened next to the office.\n\n"
                        + "Carol", Layout.ALTERNATIVE, 31, READ);
        mails.received(inbox, SHOP, "Your order #48213 has shipped",
                "Good news: your order #48213 is on its way.\n\nTracking number: EX123456789\n"
                        + "Expected delivery: in 2-3 working days.", Layout.ALTERNATIVE, 53, READ);
        mails.received(inbox, ZOE, "Café meeting — Thursday 10:00",
                "Bonjour,\n\nshall we meet at the café on Thursday at 10:00? I will bring the mock-ups.\n\nZoë",
                Layout.PLAIN, 72, EmailFlags.UNREAD);
        mails.received(inbox, DAVE, "Re: Server migration plan",
                "The migration window is Saturday 22:00 to Sunday 04:00. Rollback plan is in the wiki.\n\n"
                        + "> Can we do it over the weekend?\n\nDave", Layout.PLAIN, 95, FLAGGED.withRead(true));
        mails.received(inbox, NEWSLETTER, "Weekly team newsletter",
                "This week: the new coffee machine, two new colleagues in support, and the summer party date.",
                Layout.ALTERNATIVE, 120, READ);
        mails.received(inbox, HARUKI, "日本出張の件",
                "お疲れ様です。\n\n来月の日本出張の日程について確認させてください。\n\n佐藤", Layout.PLAIN, 150, READ);
        mails.received(inbox, SHOP, "Invoice INV-117",
                "Please find your invoice INV-117 below.\n\nAmount due: 149.00 EUR\nDue in 14 days.",
                Layout.ALTERNATIVE, 175, READ);
        mails.received(inbox, IT, "Password policy reminder",
                "Reminder: passwords must be changed every 180 days and be at least 12 characters long.",
                Layout.PLAIN, 210, READ);
        mails.received(inbox, CAROL, "Photos from the offsite",
                "The photos from the offsite are in the shared album. Great pictures of the boat trip!",
                Layout.PLAIN, 250, READ);
        mails.received(inbox, BOB, "Re: Budget review",
                "Thanks, the numbers look right. Let's finalise on Monday.\n\n> Here is the updated budget.",
                Layout.ALTERNATIVE, 290, READ.withLastVerb(1, mails.now.minus(Duration.ofHours(280))));
        mails.received(inbox, ALICE, "Conference call notes",
                "Notes from today's call:\n- launch moved to next month\n- Bob owns the pricing page\n"
                        + "- next call in two weeks", Layout.PLAIN, 330, READ);
        mails.received(inbox, ELENI, "Πρόγραμμα συνάντησης",
                "Γεια σου,\n\nτο πρόγραμμα της συνάντησης είναι συνημμένο στο ημερολόγιο.\n\nΕλένη",
                Layout.PLAIN, 380, READ);
        mails.received(inbox, IT, "Security alert: new sign-in",
                "We noticed a new sign-in to your account from a new device. If this was you, no action is"
                        + " needed.", Layout.ALTERNATIVE, 430, READ);
        mails.received(inbox, CAROL, "Book club: next month's pick",
                "Next month we read \"The Left Hand of Darkness\". Meeting at my place as usual.",
                Layout.PLAIN, 500, READ);
        mails.received(inbox, DAVE, "Re: Holiday schedule",
                "Confirmed, I cover the on-call rota over the holidays.", Layout.PLAIN, 560,
                READ.withFlagStatus(1));
        mails.received(inbox, CI, "Build failed: main #1432",
                "Build #1432 of main failed at stage 'test'.\n\n3 tests failed in gateway-core.",
                Layout.PLAIN, 620, READ);
        mails.received(inbox, ALICE, "Happy Friday!",
                "Have a great weekend everyone! Drinks at 17:00 on the roof terrace.", Layout.ALTERNATIVE, 690,
                READ);
    }

    private static void seedOtherMail(Mails mails, Person me, String projects, String sent, String drafts,
                                      String deleted, String junk, String archive) {
        mails.received(projects, BOB, "Project Phoenix: status",
                "Phoenix is on track. Milestone 2 is done; milestone 3 starts next week.", Layout.PLAIN, 40, READ);
        mails.received(projects, ALICE, "Project Phoenix: design review",
                "The design review is booked for Tuesday. Please read the draft beforehand.", Layout.ALTERNATIVE,
                100, EmailFlags.UNREAD);

        mails.put(sent, me, List.of(ALICE), "Re: Welcome to easgate",
                "Thanks Alice, it works nicely on my phone!", Layout.PLAIN, 1, READ);
        mails.put(sent, me, List.of(BOB, CAROL), "Budget review",
                "Hi both,\n\nhere is the updated budget for next quarter. Comments welcome.", Layout.PLAIN, 300,
                READ);
        mails.put(sent, me, List.of(DAVE), "Server migration plan",
                "Can we do it over the weekend?", Layout.PLAIN, 100, READ);

        mails.put(drafts, me, List.of(CAROL), "Re: Lunch on Friday?",
                "Sounds good, see you at", Layout.PLAIN, 30, READ);
        mails.received(deleted, SHOP, "Last chance: 20% off everything",
                "Our summer sale ends tonight.", Layout.ALTERNATIVE, 200, READ);
        mails.received(junk, new Person("Prize Department", "winner@lottery.example"), "You have WON!!!",
                "Click here to claim your prize.", Layout.PLAIN, 15, EmailFlags.UNREAD);
        mails.received(archive, ALICE, "Onboarding checklist",
                "Welcome aboard! Your checklist:\n1. laptop\n2. badge\n3. accounts", Layout.PLAIN, 700, READ);
        mails.received(archive, IT, "Your new laptop",
                "Your laptop is ready for pickup at the IT desk.", Layout.PLAIN, 710, READ);
    }

    private static String toHtml(String text) {
        StringBuilder html = new StringBuilder("<html><body>");
        for (String paragraph : text.split("\n\n")) {
            html.append("<p>").append(escape(paragraph).replace("\n", "<br>")).append("</p>");
        }
        return html.append("</body></html>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static byte[] quarterFigures() {
        return ("month,revenue,costs\r\nJuly,120400,98100\r\nAugust,118900,97350\r\nSeptember,131250,99800\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    // ---- contacts (MS-ASCNTC) -----------------------------------------------------------------------------------

    private record Contact(String first, String last, String company, String jobTitle, String email,
                           String mobile, String businessPhone, String city, String birthday, String note) {
    }

    private static void seedContacts(Target mailbox, String folderId, Instant now) {
        List<Contact> contacts = List.of(
                new Contact("Alice", "Walker", "Example Corp", "Product Manager", "alice@example.com",
                        "+1 555 0100", "+1 555 0101", "Boston", "1988-04-12", "Met at the product summit."),
                new Contact("Bob", "Martin", "Example Corp", "Controller", "bob@example.com",
                        "+1 555 0110", "+1 555 0111", "Boston", null, null),
                new Contact("Carol", "Nguyen", "Nguyen Design", "Designer", "carol.nguyen@example.org",
                        "+1 555 0120", null, "Portland", "1991-09-30", null),
                new Contact("Dave", "Okafor", "Example Corp", "Site Reliability Engineer",
                        "dave.okafor@example.net", "+44 20 7946 0130", null, "London", null, "On call in December."),
                new Contact("Jürgen", "Müller", "Müller & Söhne GmbH", "Geschäftsführer",
                        "juergen.mueller@example.de", "+49 89 1234 0140", "+49 89 1234 0141", "München", null,
                        null),
                new Contact("Zoë", "Dubois", "Atelier Dubois", "Illustrator", "zoe.dubois@example.fr",
                        "+33 1 23 45 01 50", null, "Paris", "1993-02-03", null),
                new Contact("春樹", "佐藤", "Example Japan", "Sales Director", "haruki.sato@example.jp",
                        "+81 3 1234 0160", null, "東京", null, null),
                new Contact("Ελένη", "Παπαδοπούλου", "Example Hellas", "Architect", "eleni@example.gr",
                        "+30 21 0123 0170", null, "Αθήνα", null, null),
                new Contact("Frank", "Ibsen", null, null, "frank.ibsen@example.no", "+47 22 12 01 80", null,
                        "Oslo", null, "Plumber, available weekdays."),
                new Contact("Grace", "Lee", "Example University", "Professor", "grace.lee@example.edu",
                        null, "+1 555 0191", "Chicago", "1975-11-20", null));
        int n = 0;
        for (Contact c : contacts) {
            WbxmlElement.Builder data = el("AirSync:ApplicationData")
                    .child("Contacts:FileAs", c.last() + ", " + c.first())
                    .child("Contacts:FirstName", c.first())
                    .child("Contacts:LastName", c.last())
                    .optional("Contacts:CompanyName", c.company())
                    .optional("Contacts:JobTitle", c.jobTitle())
                    // MS-ASCNTC 2.2.2.27: Email1Address may carry the display name, as Exchange sends it
                    .child("Contacts:Email1Address", "\"" + c.first() + " " + c.last() + "\" <" + c.email() + ">")
                    .optional("Contacts:MobilePhoneNumber", c.mobile())
                    .optional("Contacts:BusinessPhoneNumber", c.businessPhone())
                    .optional("Contacts:BusinessAddressCity", c.city())
                    .optional("Contacts:Birthday", c.birthday() == null ? null : c.birthday() + "T00:00:00.000Z");
            if (c.note() != null) {
                data.child(plainBody(c.note()));
            }
            Instant created = now.minus(Duration.ofDays(60 - n++));
            mailbox.item(folderId, new ItemContent.Pim(ItemClass.CONTACTS, data.build()), created);
        }
    }

    // ---- calendar (MS-ASCAL) ------------------------------------------------------------------------------------

    private record Event(String subject, String location, Instant start, Instant end, boolean allDay,
                         int busyStatus, int sensitivity, boolean weekly, List<Person> attendees, String body) {
    }

    private static void seedCalendar(Target mailbox, String folderId, Person me, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<Event> events = List.of(
                new Event("Team stand-up", "Room 2.14", at(today.minusDays(14), 9, 30), at(today.minusDays(14), 9, 45),
                        false, 2, 0, true, List.of(), "Daily sync: yesterday, today, blockers."),
                new Event("Project Phoenix kickoff", "Conference room A", at(today.plusDays(2), 14, 0),
                        at(today.plusDays(2), 15, 0), false, 2, 0, false, List.of(ALICE, BOB, CAROL),
                        "Agenda:\n1. goals\n2. timeline\n3. roles"),
                new Event("Dentist", "Dr. Smile, Main Street 5", at(today.plusDays(5), 8, 0),
                        at(today.plusDays(5), 8, 45), false, 3, 2, false, List.of(), null),
                new Event("Company holiday", null, at(today.plusDays(9), 0, 0), at(today.plusDays(10), 0, 0),
                        true, 0, 0, false, List.of(), "Office closed."),
                new Event("Lunch with Carol", "Noodle Bar", at(today.minusDays(3), 12, 30),
                        at(today.minusDays(3), 13, 30), false, 2, 0, false, List.of(), null),
                new Event("Quarterly review", "Board room", at(today.plusDays(12), 10, 0),
                        at(today.plusDays(12), 12, 0), false, 2, 0, false, List.of(), "Bring the Q3 figures."),
                new Event("Flight to Berlin", "Airport, Terminal 1", at(today.plusDays(20), 7, 15),
                        at(today.plusDays(20), 9, 0), false, 3, 0, false, List.of(), "Booking reference XY7Q2P."),
                new Event("Yoga class", "Studio Lotus", at(today.minusDays(7), 18, 0), at(today.minusDays(7), 19, 0),
                        false, 2, 1, false, List.of(), null));
        int n = 0;
        for (Event e : events) {
            n++;
            String uid = UUID.nameUUIDFromBytes(("easgate-demo-event-" + n + "-" + me.address())
                    .getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(Locale.ROOT);
            boolean meeting = !e.attendees().isEmpty();
            WbxmlElement.Builder data = el("AirSync:ApplicationData")
                    .child("Calendar:Timezone", UTC_TIME_ZONE)
                    .child("Calendar:DtStamp", COMPACT.format(now.minus(Duration.ofDays(30))))
                    .child("Calendar:StartTime", COMPACT.format(e.start()))
                    .child("Calendar:Subject", e.subject())
                    .child("Calendar:UID", uid);
            if (meeting) {
                data.child("Calendar:OrganizerName", me.name()).child("Calendar:OrganizerEmail", me.address());
            }
            data.optional("Calendar:Location", e.location())
                    .child("Calendar:EndTime", COMPACT.format(e.end()));
            if (e.weekly()) {
                // MS-ASCAL 2.2.2.39: Type 1 is weekly; DayOfWeek is a bit mask, Sunday 1, Monday 2 ... Saturday 64
                DayOfWeek day = LocalDate.ofInstant(e.start(), ZoneOffset.UTC).getDayOfWeek();
                data.child("Calendar:Recurrence", r -> r
                        .child("Type", 1)
                        .child("Interval", 1)
                        .child("DayOfWeek", 1 << (day.getValue() % 7)));
            }
            if (e.body() != null) {
                data.child(plainBody(e.body()));
            }
            data.child("Calendar:Sensitivity", e.sensitivity())
                    .child("Calendar:BusyStatus", e.busyStatus())
                    .child("Calendar:AllDayEvent", e.allDay() ? 1 : 0)
                    .child("Calendar:Reminder", e.allDay() ? 0 : 15)
                    // MS-ASCAL 2.2.2.29: 0 an appointment, 1 a meeting the user organizes
                    .child("Calendar:MeetingStatus", meeting ? 1 : 0);
            if (meeting) {
                data.child("Calendar:Attendees", list -> {
                    for (Person attendee : e.attendees()) {
                        // AttendeeStatus 0: response unknown; AttendeeType 1: required (MS-ASCAL 2.2.2.4, 2.2.2.5)
                        list.child("Attendee", a -> a
                                .child("Email", attendee.address())
                                .child("Name", attendee.name())
                                .child("AttendeeStatus", 0)
                                .child("AttendeeType", 1));
                    }
                });
            }
            mailbox.item(folderId, new ItemContent.Pim(ItemClass.CALENDAR, data.build()), e.start());
        }
    }

    private static Instant at(LocalDate day, int hour, int minute) {
        return day.atTime(LocalTime.of(hour, minute)).toInstant(ZoneOffset.UTC);
    }

    /**
     * TIME_ZONE_INFORMATION of UTC: Bias, StandardName (32 UTF-16 units), StandardDate (SYSTEMTIME), StandardBias,
     * DaylightName, DaylightDate, DaylightBias; 172 bytes little-endian, zero bias and no daylight saving.
     */
    private static String utcTimeZone() {
        ByteBuffer info = ByteBuffer.allocate(172).order(ByteOrder.LITTLE_ENDIAN);
        info.putInt(0);
        putName(info, "UTC");
        info.position(info.position() + 16).putInt(0);
        putName(info, "UTC");
        info.position(info.position() + 16).putInt(0);
        return Base64.getEncoder().encodeToString(info.array());
    }

    private static void putName(ByteBuffer info, String name) {
        byte[] utf16 = name.getBytes(StandardCharsets.UTF_16LE);
        info.put(utf16).position(info.position() + 64 - utf16.length);
    }

    // ---- tasks (MS-ASTASK) --------------------------------------------------------------------------------------

    private record Task(String subject, int importance, Integer dueInDays, Integer completedDaysAgo, String body) {
    }

    private static void seedTasks(Target mailbox, String folderId, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<Task> tasks = List.of(
                new Task("Submit expense report", 2, 2, null, "Receipts are in the blue folder."),
                new Task("Renew passport", 1, 30, null, null),
                new Task("Review pull request #42", 1, 1, null, "The change-bus refactoring."),
                new Task("Book flights for the conference", 1, -2, 1, null),
                new Task("Call the plumber", 0, null, null, "Kitchen tap is dripping."));
        int n = 0;
        for (Task t : tasks) {
            WbxmlElement.Builder data = el("AirSync:ApplicationData");
            if (t.body() != null) {
                data.child(plainBody(t.body()));
            }
            data.child("Tasks:Subject", t.subject())
                    // MS-ASTASK 2.2.2.13: 0 low, 1 normal, 2 high
                    .child("Tasks:Importance", t.importance());
            if (t.dueInDays() != null) {
                String due = DATE_TIME.format(at(today.plusDays(t.dueInDays()), 0, 0));
                // times are UTC here, so the local and the UTC due date are the same
                data.child("Tasks:UtcDueDate", due).child("Tasks:DueDate", due);
            }
            boolean complete = t.completedDaysAgo() != null;
            data.child("Tasks:Complete", complete ? 1 : 0);
            if (complete) {
                // MS-ASTASK 2.2.2.7: DateCompleted is required when Complete is 1
                data.child("Tasks:DateCompleted", DATE_TIME.format(now.minus(Duration.ofDays(t.completedDaysAgo()))));
            }
            data.child("Tasks:Sensitivity", 0).child("Tasks:ReminderSet", 0);
            Instant created = now.minus(Duration.ofDays(10 - n++));
            mailbox.item(folderId, new ItemContent.Pim(ItemClass.TASKS, data.build()), created);
        }
    }

    // ---- notes (MS-ASNOTE) --------------------------------------------------------------------------------------

    private static void seedNotes(Target mailbox, String folderId, Instant now) {
        String[][] notes = {
                {"Wi-Fi at the office", "Network: Example-Guest\nPassword is on the whiteboard in the kitchen."},
                {"Gift ideas", "Alice: a good cookbook\nBob: concert tickets\nCarol: plants"},
                {"Reading list", "The Left Hand of Darkness\nThe Pragmatic Programmer\nDesigning Data-Intensive"
                        + " Applications"},
        };
        int n = 0;
        for (String[] note : notes) {
            Instant modified = now.minus(Duration.ofDays(20 - 7L * n++));
            WbxmlElement data = el("AirSync:ApplicationData")
                    .child(plainBody(note[1]))
                    .child("Notes:Subject", note[0])
                    .child("Notes:MessageClass", "IPM.StickyNote")
                    .child("Notes:LastModifiedDate", COMPACT.format(modified))
                    .build();
            mailbox.item(folderId, new ItemContent.Pim(ItemClass.NOTES, data), modified);
        }
    }

    /** AirSyncBase Body of Type 1, plain text (MS-ASAIRS 2.2.2.9). */
    private static WbxmlElement plainBody(String text) {
        return el("AirSyncBase:Body").child("Type", 1).child("Data", text.replace("\n", "\r\n")).build();
    }
}
