package dev.easgate.backends.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoMailboxTest {
    private static final Instant NOW = Instant.parse("2025-06-02T10:15:30Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]+)\\?=");

    private final MemoryMailStore store = new MemoryMailStore(CLOCK, new DemoMailbox(CLOCK, "example.com"),
            change -> { });

    private List<Folder> folders() {
        return store.folders("demo").collectList().block();
    }

    private Folder folder(FolderType type) {
        return folders().stream().filter(f -> f.type() == type).findFirst().orElseThrow();
    }

    private Folder folder(String name) {
        return folders().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    private List<Item> items(Folder folder) {
        List<String> ids = store.changesSince("demo", folder.id(), 0).block().changed().stream()
                .map(ItemVersion::id).toList();
        return store.items("demo", folder.id(), ids).collectList().block();
    }

    @Test
    void everyStandardFolderIsThereWithJunkArchiveAndAnInboxSubfolder() {
        assertThat(folders()).extracting(Folder::type).contains(FolderType.INBOX, FolderType.DRAFTS,
                FolderType.SENT_ITEMS, FolderType.DELETED_ITEMS, FolderType.OUTBOX, FolderType.CALENDAR,
                FolderType.CONTACTS, FolderType.TASKS, FolderType.NOTES, FolderType.USER_MAIL);
        assertThat(folder("Junk").type()).isEqualTo(FolderType.USER_MAIL);
        assertThat(folder("Archive").type()).isEqualTo(FolderType.USER_MAIL);
        assertThat(folder("Projects").parentId()).isEqualTo(folder(FolderType.INBOX).id());
    }

    @Test
    void foldersHoldARealisticNumberOfItems() {
        assertThat(items(folder(FolderType.INBOX))).hasSizeBetween(18, 22);
        assertThat(items(folder(FolderType.SENT_ITEMS))).hasSizeBetween(2, 5);
        assertThat(items(folder(FolderType.CONTACTS))).hasSize(10);
        assertThat(items(folder(FolderType.CALENDAR))).hasSize(8);
        assertThat(items(folder(FolderType.TASKS))).hasSize(5);
        assertThat(items(folder(FolderType.NOTES))).hasSize(3);
    }

    @Test
    void theSameClockGivesTheSameMailbox() {
        MemoryMailStore again = new MemoryMailStore(CLOCK, new DemoMailbox(CLOCK, "example.com"), change -> { });

        for (Folder folder : folders()) {
            List<Item> mine = items(folder);
            List<String> ids = mine.stream().map(Item::id).toList();
            assertThat(again.items("demo", folder.id(), ids).collectList().block()).isEqualTo(mine);
        }
    }

    // ---- email --------------------------------------------------------------------------------------------------

    @Test
    void everyEmailIsASaneRfc5322Message() {
        int checked = 0;
        for (Folder folder : folders()) {
            if (folder.itemClass() != ItemClass.EMAIL) {
                continue;
            }
            for (Item item : items(folder)) {
                byte[] mime = ((ItemContent.Email) item.content()).mime();
                String message = new String(mime, StandardCharsets.US_ASCII);
                assertThat(message).as("7-bit").matches("\\p{ASCII}*");
                assertThat(message).as("no bare LF").doesNotContainPattern("[^\r]\n");
                int blank = message.indexOf("\r\n\r\n");
                assertThat(blank).as("headers, blank line, body").isPositive();
                Map<String, String> headers = headers(message.substring(0, blank));
                assertThat(headers).containsKeys("date", "from", "to", "subject", "message-id", "mime-version",
                        "content-type");
                for (String line : message.split("\r\n")) {
                    assertThat(line.length()).as("RFC 5322 2.1.1 line limit").isLessThanOrEqualTo(998);
                }
                String contentType = headers.get("content-type");
                if (contentType.startsWith("multipart/")) {
                    Matcher boundary = Pattern.compile("boundary=\"([^\"]+)\"").matcher(contentType);
                    assertThat(boundary.find()).isTrue();
                    assertThat(message).contains("\r\n--" + boundary.group(1) + "\r\n")
                            .contains("\r\n--" + boundary.group(1) + "--\r\n");
                }
                Instant date = item.date();
                assertThat(date).isBetween(NOW.minus(Duration.ofDays(30)), NOW);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(25);
    }

    @Test
    void inboxMixesPlainAlternativeAndAnAttachment() {
        List<String> types = new ArrayList<>();
        for (Item item : items(folder(FolderType.INBOX))) {
            types.add(headers(headerBlock(item)).get("content-type"));
        }
        assertThat(types).anyMatch(t -> t.startsWith("text/plain"))
                .anyMatch(t -> t.startsWith("multipart/alternative"))
                .anyMatch(t -> t.startsWith("multipart/mixed"));
    }

    @Test
    void theAttachmentIsBase64AndDecodes() {
        Item withAttachment = items(folder(FolderType.INBOX)).stream()
                .filter(item -> headers(headerBlock(item)).get("content-type").startsWith("multipart/mixed"))
                .findFirst().orElseThrow();
        String message = new String(((ItemContent.Email) withAttachment.content()).mime(), StandardCharsets.US_ASCII);
        int disposition = message.indexOf("Content-Disposition: attachment; filename=\"q3-figures.csv\"");
        assertThat(disposition).isPositive();
        int bodyStart = message.indexOf("\r\n\r\n", disposition) + 4;
        String base64 = message.substring(bodyStart, message.indexOf("\r\n--", bodyStart));

        String csv = new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.US_ASCII);
        assertThat(csv).startsWith("month,revenue,costs");
    }

    @Test
    void nonAsciiSubjectsAreEncodedWords() {
        List<String> subjects = items(folder(FolderType.INBOX)).stream()
                .map(item -> headers(headerBlock(item)).get("subject"))
                .toList();

        assertThat(subjects).anyMatch(s -> s.contains("=?UTF-8?B?"));
        assertThat(subjects.stream().map(DemoMailboxTest::decodeWords))
                .contains("Grüße aus München", "日本出張の件", "Café meeting — Thursday 10:00");
    }

    @Test
    void someMessagesAreReadSomeFlaggedSomeNot() {
        List<EmailFlags> flags = items(folder(FolderType.INBOX)).stream()
                .map(item -> ((ItemContent.Email) item.content()).flags())
                .toList();

        assertThat(flags).anyMatch(EmailFlags::read).anyMatch(f -> !f.read()).anyMatch(f -> f.flagStatus() == 2);
    }

    @Test
    void inboxDatesSpreadOverTheLastMonth() {
        List<Instant> dates = items(folder(FolderType.INBOX)).stream().map(Item::date).toList();

        assertThat(dates).allMatch(d -> d.isBefore(NOW) && d.isAfter(NOW.minus(Duration.ofDays(30))));
        assertThat(dates).anyMatch(d -> d.isAfter(NOW.minus(Duration.ofDays(1))))
                .anyMatch(d -> d.isBefore(NOW.minus(Duration.ofDays(20))));
    }

    // ---- PIM ----------------------------------------------------------------------------------------------------

    @Test
    void pimItemsAreApplicationDataThatEncodesAndDecodes() {
        for (FolderType type : List.of(FolderType.CONTACTS, FolderType.CALENDAR, FolderType.TASKS, FolderType.NOTES)) {
            for (Item item : items(folder(type))) {
                ItemContent.Pim pim = (ItemContent.Pim) item.content();
                assertThat(pim.itemClass()).isEqualTo(type.itemClass());
                WbxmlElement data = pim.applicationData();
                assertThat(data.matches("AirSync:ApplicationData")).isTrue();
                assertThat(WbxmlDecoder.DEFAULT.decode(WbxmlEncoder.encode(data))).isEqualTo(data);
            }
        }
    }

    @Test
    void contactsHaveANameAndAnAddress() {
        for (Item item : items(folder(FolderType.CONTACTS))) {
            WbxmlElement data = ((ItemContent.Pim) item.content()).applicationData();
            assertThat(data.childText("Contacts:FileAs")).contains(", ");
            assertThat(data.childText("Contacts:FirstName")).isNotBlank();
            assertThat(data.childText("Contacts:Email1Address")).contains("@");
        }
    }

    @Test
    void eventsIncludeAnAllDayOneAWeeklyOneAndAMeeting() {
        List<WbxmlElement> events = items(folder(FolderType.CALENDAR)).stream()
                .map(item -> ((ItemContent.Pim) item.content()).applicationData())
                .toList();

        for (WbxmlElement event : events) {
            assertThat(event.childText("Calendar:StartTime")).matches("\\d{8}T\\d{6}Z");
            assertThat(event.childText("Calendar:EndTime")).matches("\\d{8}T\\d{6}Z");
            assertThat(event.childText("Calendar:DtStamp")).matches("\\d{8}T\\d{6}Z");
            assertThat(event.childText("Calendar:UID")).isNotBlank();
            assertThat(event.childText("Calendar:Subject")).isNotBlank();
            assertThat(Base64.getDecoder().decode(event.childText("Calendar:Timezone"))).hasSize(172);
        }
        assertThat(events).anyMatch(e -> "1".equals(e.childText("Calendar:AllDayEvent")));
        WbxmlElement weekly = events.stream().filter(e -> e.child("Calendar:Recurrence") != null).findFirst()
                .orElseThrow();
        assertThat(weekly.child("Calendar:Recurrence").childText("Calendar:Type")).isEqualTo("1");
        WbxmlElement meeting = events.stream().filter(e -> e.child("Calendar:Attendees") != null).findFirst()
                .orElseThrow();
        assertThat(meeting.childText("Calendar:MeetingStatus")).isEqualTo("1");
        assertThat(meeting.child("Calendar:Attendees").children("Calendar:Attendee")).hasSizeGreaterThan(1)
                .allSatisfy(a -> assertThat(a.childText("Calendar:Email")).contains("@"));
    }

    @Test
    void anEventIsDatedByItsStart() {
        for (Item item : items(folder(FolderType.CALENDAR))) {
            String start = ((ItemContent.Pim) item.content()).applicationData().childText("Calendar:StartTime");
            assertThat(DemoMailboxTest.compact(item.date())).isEqualTo(start);
        }
    }

    @Test
    void tasksAndNotesHaveTheirElements() {
        for (Item item : items(folder(FolderType.TASKS))) {
            WbxmlElement task = ((ItemContent.Pim) item.content()).applicationData();
            assertThat(task.childText("Tasks:Subject")).isNotBlank();
            assertThat(task.childText("Tasks:Importance")).isIn("0", "1", "2");
            assertThat(task.childText("Tasks:Complete")).isIn("0", "1");
            if ("1".equals(task.childText("Tasks:Complete"))) {
                assertThat(task.childText("Tasks:DateCompleted")).isNotNull();
            }
            if (task.child("Tasks:DueDate") != null) {
                assertThat(task.childText("Tasks:UtcDueDate")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.000Z");
            }
        }
        for (Item item : items(folder(FolderType.NOTES))) {
            WbxmlElement note = ((ItemContent.Pim) item.content()).applicationData();
            assertThat(note.childText("Notes:MessageClass")).isEqualTo("IPM.StickyNote");
            assertThat(note.childText("Notes:LastModifiedDate")).matches("\\d{8}T\\d{6}Z");
            assertThat(note.child("AirSyncBase:Body").childText("AirSyncBase:Type")).isEqualTo("1");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static String headerBlock(Item item) {
        String message = new String(((ItemContent.Email) item.content()).mime(), StandardCharsets.US_ASCII);
        return message.substring(0, message.indexOf("\r\n\r\n"));
    }

    /** Header fields by lower-case name, continuation lines unfolded (RFC 5322 2.2.3). */
    private static Map<String, String> headers(String block) {
        Map<String, String> headers = new LinkedHashMap<>();
        String last = null;
        for (String line : block.split("\r\n")) {
            if (line.startsWith(" ") || line.startsWith("\t")) {
                assertThat(last).as("continuation after a field").isNotNull();
                headers.merge(last, line, String::concat);
                continue;
            }
            int colon = line.indexOf(':');
            assertThat(colon).as("field name in '" + line + "'").isPositive();
            last = line.substring(0, colon).toLowerCase(Locale.ROOT);
            headers.put(last, line.substring(colon + 1).strip());
        }
        return headers;
    }

    /** Decodes RFC 2047 B words; whitespace between adjacent encoded-words is dropped (RFC 2047 6.2). */
    private static String decodeWords(String text) {
        String joined = text.replaceAll("\\?=\\s+=\\?", "?==?");
        Matcher m = ENCODED_WORD.matcher(joined);
        StringBuilder out = new StringBuilder();
        java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                out.append(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
                out.append(joined, at, m.start());
            }
            pending.writeBytes(Base64.getDecoder().decode(m.group(1)));
            at = m.end();
        }
        out.append(pending.toString(StandardCharsets.UTF_8)).append(joined.substring(at));
        return out.toString();
    }

    private static String compact(Instant instant) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                .format(instant);
    }
}
