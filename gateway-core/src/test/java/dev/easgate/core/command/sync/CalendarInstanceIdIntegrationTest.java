package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 16.0+ Sync Change and Delete of one occurrence (AirSyncBase:InstanceId) become Calendar:Exceptions. */
class CalendarInstanceIdIntegrationTest {
    private static final DateTimeFormatter COMPACT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static GatewayTestServer server;
    private static MailStore store;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
        store = server.gateway().services().mailStore();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static EasTestClient client(String device, String version) {
        return server.provisioned("bob", device, version);
    }

    private static Item recurring(Folder calendar) {
        List<String> ids = store.changesSince("bob", calendar.id(), 0).block().changed().stream()
                .map(ItemVersion::id).toList();
        return store.items("bob", calendar.id(), ids).filter(item -> ((ItemContent.Pim) item.content())
                .applicationData().child("Calendar:Recurrence") != null).blockFirst();
    }

    @Test
    void aChangeAndADeleteOfOneOccurrenceBecomeExceptionsOfTheSeries() {
        Folder calendar = store.folders("bob").filter(f -> f.type() == FolderType.CALENDAR).blockFirst();
        Item series = recurring(calendar);
        String serverId = series.id();
        Instant first = COMPACT.parse(((ItemContent.Pim) series.content()).applicationData()
                .childText("Calendar:StartTime"), Instant::from);
        Instant second = first.plusSeconds(7 * 86400);
        Instant third = first.plusSeconds(14 * 86400);

        EasTestClient phone = client("inst-16", "16.1");
        String key = phone.syncCollection("0", calendar.id(), null).childText("SyncKey");
        WbxmlElement changed = phone.syncCollection(key, calendar.id(), cmds -> cmds
                .child("Change", c -> c.child("ServerId", serverId)
                        .child("AirSyncBase:InstanceId", second.toString())
                        .child("ApplicationData", d -> d
                                .child("Calendar:Subject", "Standup (moved)")
                                .child("Calendar:StartTime", COMPACT.format(second.plusSeconds(3600)))
                                .child("Calendar:EndTime", COMPACT.format(second.plusSeconds(5400)))))
                .child("Delete", x -> x.child("ServerId", serverId)
                        .child("AirSyncBase:InstanceId", third.toString())));
        assertThat(changed.childText("Status")).isEqualTo("1");
        assertThat(changed.child("Responses")).isNull();

        WbxmlElement properties = phone.fetchItem(calendar.id(), serverId);
        assertThat(properties.child("Calendar:Recurrence")).isNotNull();
        String seriesSubject = ((ItemContent.Pim) series.content()).applicationData().childText("Calendar:Subject");
        assertThat(properties.childText("Calendar:Subject")).isEqualTo(seriesSubject);
        List<WbxmlElement> exceptions = properties.child("Calendar:Exceptions").children("Calendar:Exception");
        assertThat(exceptions).hasSize(2);
        WbxmlElement moved = exceptions.get(0);
        // 16.x names the occurrence by AirSyncBase:InstanceId, not ExceptionStartTime (MS-ASCAL 2.2.2.23: 2.5-14.1)
        assertThat(moved.childText("AirSyncBase:InstanceId")).isEqualTo(COMPACT.format(second));
        assertThat(moved.child("Calendar:ExceptionStartTime")).isNull();
        assertThat(moved.childText("Calendar:Subject")).isEqualTo("Standup (moved)");
        assertThat(moved.childText("Calendar:StartTime")).isEqualTo(COMPACT.format(second.plusSeconds(3600)));
        assertThat(moved.child("Calendar:Deleted")).isNull();
        WbxmlElement deleted = exceptions.get(1);
        assertThat(deleted.childText("AirSyncBase:InstanceId")).isEqualTo(COMPACT.format(third));
        assertThat(deleted.childText("Calendar:Deleted")).isEqualTo("1");
        // a 14.1 client gets the same occurrence as ExceptionStartTime
        WbxmlElement older = client("inst-141", "14.1").fetchItem(calendar.id(), serverId).child("Calendar:Exceptions")
                .children("Calendar:Exception").get(0);
        assertThat(older.childText("Calendar:ExceptionStartTime")).isEqualTo(COMPACT.format(second));
        assertThat(older.child("AirSyncBase:InstanceId")).isNull();

        // a second change of the same occurrence merges into its exception; the item itself is still there
        String next = changed.childText("SyncKey");
        WbxmlElement again = phone.syncCollection(next, calendar.id(), cmds -> cmds
                .child("Change", c -> c.child("ServerId", serverId)
                        .child("AirSyncBase:InstanceId", second.toString())
                        .child("ApplicationData", d -> d.child("Calendar:Location", "Room 7"))));
        assertThat(again.childText("Status")).isEqualTo("1");
        List<WbxmlElement> after = ((ItemContent.Pim) store.item("bob", calendar.id(), serverId).block()
                .content()).applicationData().child("Calendar:Exceptions").children("Calendar:Exception");
        assertThat(after).hasSize(2);
        assertThat(after.get(0).childText("Calendar:Subject")).isEqualTo("Standup (moved)");
        assertThat(after.get(0).childText("Calendar:Location")).isEqualTo("Room 7");
    }

    /** A weekly event of its own, with one exception (the second occurrence moved to 10:00). */
    private static Item seriesWithAnException(Folder calendar, String subject) {
        WbxmlElement data = WbxmlElement.el(CodePage.AIR_SYNC, "ApplicationData")
                .child("Calendar:Subject", subject)
                .child("Calendar:StartTime", "20300107T090000Z")
                .child("Calendar:EndTime", "20300107T093000Z")
                .child("Calendar:Recurrence", r -> r.child("Type", 1).child("Interval", 1).child("DayOfWeek", 2))
                .child("Calendar:Exceptions", x -> x.child("Exception", e -> e
                        .child("ExceptionStartTime", "20300114T090000Z")
                        .child("StartTime", "20300114T100000Z")
                        .child("EndTime", "20300114T103000Z")))
                .build();
        return store.add("bob", calendar.id(), new ItemContent.Pim(dev.easgate.backends.mail.ItemClass.CALENDAR,
                data)).block();
    }

    private static WbxmlElement storedData(Folder calendar, String serverId) {
        return ((ItemContent.Pim) store.item("bob", calendar.id(), serverId).block().content()).applicationData();
    }

    private static Consumer<WbxmlElement.Builder> changeWithExceptions(String serverId, String subject) {
        return cmds -> cmds.child("Change", c -> c.child("ServerId", serverId).child("ApplicationData", d -> d
                .child("Calendar:Subject", subject)
                .child("Calendar:Exceptions", x -> x.child("Exception", e -> e
                        .child("ExceptionStartTime", "20300121T090000Z")
                        .child("Deleted", "1")))));
    }

    @Test
    void from16ASeriesChangeIgnoresCalendarExceptionsAndKeepsTheStoredOnes() {
        Folder calendar = store.folders("bob").filter(f -> f.type() == FolderType.CALENDAR).blockFirst();
        Item series = seriesWithAnException(calendar, "Weekly review");
        WbxmlElement before = storedData(calendar, series.id()).child("Calendar:Exceptions");

        // MS-ASCAL 2.2.2.22: a 16.0+ client MUST NOT send Exceptions to change an exception (InstanceId does that);
        // the element is ignored, the rest of the Change applies
        EasTestClient phone = client("exc-16", "16.1");
        String key = phone.syncCollection("0", calendar.id(), null).childText("SyncKey");
        WbxmlElement changed = phone.syncCollection(key, calendar.id(),
                changeWithExceptions(series.id(), "Weekly review (16)"));
        assertThat(changed.childText("Status")).isEqualTo("1");
        assertThat(changed.child("Responses")).isNull();
        WbxmlElement after = storedData(calendar, series.id());
        assertThat(after.childText("Calendar:Subject")).isEqualTo("Weekly review (16)");
        assertThat(after.child("Calendar:Exceptions")).isEqualTo(before);

        // a 16.0 client that declared Exceptions supported and leaves them out of a Change does not delete them
        EasTestClient declared = client("exc-16-supported", "16.0");
        WbxmlElement first = declared.post("Sync", WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections",
                cs -> cs.child("Collection", c -> c.child("SyncKey", "0").child("CollectionId", calendar.id())
                        .child("Supported", s -> s.empty("Calendar:Subject").empty("Calendar:Exceptions")))).build())
                .body().child("Collections").child("Collection");
        WbxmlElement subjectOnly = declared.syncCollection(first.childText("SyncKey"), calendar.id(), cmds -> cmds
                .child("Change", c -> c.child("ServerId", series.id()).child("ApplicationData", d -> d
                        .child("Calendar:Subject", "Weekly review (supported)"))));
        assertThat(subjectOnly.childText("Status")).isEqualTo("1");
        WbxmlElement kept = storedData(calendar, series.id());
        assertThat(kept.childText("Calendar:Subject")).isEqualTo("Weekly review (supported)");
        assertThat(kept.child("Calendar:Exceptions")).isEqualTo(before);

        // before 16.0 the Exceptions of a Change are the event's exceptions
        EasTestClient older = client("exc-141", "14.1");
        String key14 = older.syncCollection("0", calendar.id(), null).childText("SyncKey");
        older.syncCollection(key14, calendar.id(), changeWithExceptions(series.id(), "Weekly review (14)"));
        List<WbxmlElement> replaced = storedData(calendar, series.id()).child("Calendar:Exceptions")
                .children("Calendar:Exception");
        assertThat(replaced).hasSize(1);
        assertThat(replaced.get(0).childText("Calendar:ExceptionStartTime")).isEqualTo("20300121T090000Z");
        assertThat(replaced.get(0).childText("Calendar:Deleted")).isEqualTo("1");
    }

    @Test
    void from16ChangingThePatternOrTheTimesOfTheSeriesDeletesItsExceptions() {
        // MS-ASCAL 2.2.2.22: in 16.0 and 16.1, changing the recurrence pattern or the start/end times of a recurring
        // series deletes its exceptions
        Folder calendar = store.folders("bob").filter(f -> f.type() == FolderType.CALENDAR).blockFirst();
        EasTestClient phone = client("reshape-16", "16.0");
        String key = phone.syncCollection("0", calendar.id(), null).childText("SyncKey");

        Item same = seriesWithAnException(calendar, "Same times");
        WbxmlElement sent = phone.syncCollection(key, calendar.id(), cmds -> cmds.child("Change", c -> c
                .child("ServerId", same.id()).child("ApplicationData", d -> d
                        .child("Calendar:Subject", "Same times, new subject")
                        .child("Calendar:StartTime", "20300107T090000Z")
                        .child("Calendar:EndTime", "20300107T093000Z")
                        .child("Calendar:Recurrence", r -> r.child("Type", 1).child("Interval", 1)
                                .child("DayOfWeek", 2)))));
        key = sent.childText("SyncKey");
        assertThat(storedData(calendar, same.id()).child("Calendar:Exceptions")).isNotNull();

        Item moved = seriesWithAnException(calendar, "Moved series");
        key = phone.syncCollection(key, calendar.id(), cmds -> cmds.child("Change", c -> c
                .child("ServerId", moved.id()).child("ApplicationData", d -> d
                        .child("Calendar:StartTime", "20300107T110000Z")
                        .child("Calendar:EndTime", "20300107T113000Z")))).childText("SyncKey");
        WbxmlElement movedData = storedData(calendar, moved.id());
        assertThat(movedData.childText("Calendar:StartTime")).isEqualTo("20300107T110000Z");
        assertThat(movedData.child("Calendar:Exceptions")).isNull();

        Item repatterned = seriesWithAnException(calendar, "Every other week");
        phone.syncCollection(key, calendar.id(), cmds -> cmds.child("Change", c -> c
                .child("ServerId", repatterned.id()).child("ApplicationData", d -> d
                        .child("Calendar:Recurrence", r -> r.child("Type", 1).child("Interval", 2)
                                .child("DayOfWeek", 2)))));
        WbxmlElement repatternedData = storedData(calendar, repatterned.id());
        assertThat(repatternedData.child("Calendar:Recurrence").childText("Calendar:Interval")).isEqualTo("2");
        assertThat(repatternedData.child("Calendar:Exceptions")).isNull();

        // before 16.0 a moved series keeps its exceptions
        Item older = seriesWithAnException(calendar, "Moved by 14.1");
        EasTestClient old = client("reshape-141", "14.1");
        String key14 = old.syncCollection("0", calendar.id(), null).childText("SyncKey");
        old.syncCollection(key14, calendar.id(), cmds -> cmds.child("Change", c -> c
                .child("ServerId", older.id()).child("ApplicationData", d -> d
                        .child("Calendar:StartTime", "20300107T110000Z")
                        .child("Calendar:EndTime", "20300107T113000Z"))));
        assertThat(storedData(calendar, older.id()).child("Calendar:Exceptions")).isNotNull();
    }

    @Test
    void anInstanceIdBefore16OrOnAnEventThatDoesNotRecurIsStatus6() {
        Folder calendar = store.folders("bob").filter(f -> f.type() == FolderType.CALENDAR).blockFirst();
        Item series = recurring(calendar);
        EasTestClient old = client("inst-14", "14.1");
        String key = old.syncCollection("0", calendar.id(), null).childText("SyncKey");
        WbxmlElement refused = old.syncCollection(key, calendar.id(), cmds -> cmds
                .child("Delete", x -> x.child("ServerId", series.id())
                        .child("AirSyncBase:InstanceId", "2030-01-01T09:00:00.000Z")));
        assertThat(refused.child("Responses").child("Delete").childText("Status")).isEqualTo("6");

        EasTestClient phone = client("inst-16b", "16.0");
        String key16 = phone.syncCollection("0", calendar.id(), null).childText("SyncKey");
        WbxmlElement added = phone.syncCollection(key16, calendar.id(), cmds -> cmds.child("Add", a -> a
                .child("ClientId", "one-off").child("ApplicationData", d -> d
                        .child("Calendar:Subject", "Once").child("Calendar:StartTime", "20300105T090000Z")
                        .child("Calendar:EndTime", "20300105T100000Z"))));
        String once = added.child("Responses").child("Add").childText("ServerId");
        WbxmlElement notRecurring = phone.syncCollection(added.childText("SyncKey"), calendar.id(), cmds -> cmds
                .child("Delete", x -> x.child("ServerId", once)
                        .child("AirSyncBase:InstanceId", "2030-01-05T09:00:00.000Z")));
        assertThat(notRecurring.child("Responses").child("Delete").childText("Status")).isEqualTo("6");
        assertThat(store.item("bob", calendar.id(), once).block()).isNotNull();
    }
}
