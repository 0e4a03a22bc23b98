package dev.easgate.backends.dav;

import static dev.easgate.backends.mail.MailStoreContract.assertFails;
import static dev.easgate.backends.mail.MailStoreContract.contact;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreContract;
import dev.easgate.backends.mail.MailStoreException.Kind;
import dev.easgate.backends.memory.MemoryMailStore;
import dev.easgate.wbxml.WbxmlElement;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The MailStore contract on a real Radicale, through the composite store the gateway uses (mail folders in a
 * memory store, calendars/contacts/tasks on DAV). The contract's item tests are written with emails, which DAV
 * does not hold; those that matter for DAV are overridden below with the same assertions on contacts in a DAV
 * address book (the email versions still run against the mail side through the composite). Then what only DAV
 * has: server-side changes, ETag conflicts, the default collections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DavStoreTest implements MailStoreContract {
    private RadicaleProcess radicale;
    private DavStore dav;
    private MemoryMailStore mail;
    private MailStore store;

    @BeforeAll
    void start() throws Exception {
        radicale = RadicaleProcess.start();
        // the service account path: one login for every user (DavStorePerUserTest logs in as each user)
        dav = newDav(Ticker.systemTicker());
        mail = new MemoryMailStore(Clock.systemUTC());
        store = new CompositeMailStore(mail, dav);
    }

    /** A DAV store of its own over the test's Radicale: a node of its own, started now. */
    private DavStore newDav(Ticker ticker) {
        return new DavStore(new DavClient(Duration.ofSeconds(10)), DavCredentials.service(RadicaleProcess.SERVICE_USER,
                RadicaleProcess.SERVICE_PASSWORD), radicale.url(), Clock.systemUTC(), 1000, Duration.ofHours(1),
                ticker);
    }

    @AfterAll
    void stop() {
        if (radicale != null) {
            radicale.close();
        }
    }

    @Override
    public MailStore store() {
        return store;
    }

    /** A node started again: a new DAV store over the same Radicale (mail stays in the same memory store). */
    @Override
    public MailStore restarted() {
        return new CompositeMailStore(mail, newDav(Ticker.systemTicker()));
    }

    private Folder people(String user) {
        return store.createFolder(user, Folder.ROOT, "People", FolderType.USER_CONTACTS).block();
    }

    private Folder defaultFolder(String user, FolderType type) {
        return store.folders(user).filter(f -> f.type() == type).blockFirst();
    }

    // ---- contract item tests on DAV items (see the class comment) ------------------------------------------------

    @Test
    @Override
    public void addedItemsGetIdsAndTheWatermarkGrows() {
        String user = newUser();
        MailStoreContract.assertAddsGetIdsAndMoveTheWatermark(store, user, people(user), contact("One"),
                contact("Two"), contact("Three"));
    }

    @Test
    @Override
    public void anotherStoreOverTheSameServerReportsTheVersionsTheDeviceHolds() {
        String user = newUser();
        Folder people = people(user);
        Item changed = store.add(user, people.id(), contact("Ada Lovelace")).block();
        store.add(user, people.id(), contact("Grace Hopper")).block();
        store.change(user, people.id(), changed.id(), contact("Ada King")).block();
        MailStoreContract.assertSameVersionsOnAnotherStore(store, restarted(), user, people,
                id -> store.change(user, people.id(), id, contact("Renamed")));

        Folder calendar = defaultFolder(user, FolderType.CALENDAR);
        store.add(user, calendar.id(), event("Review")).block();
        store.add(user, calendar.id(), event("Planning")).block();
        MailStoreContract.assertSameVersionsOnAnotherStore(store, restarted(), user, calendar,
                id -> store.change(user, calendar.id(), id, event("Moved review")));
    }

    /** The same node after it forgot the user ({@code dav.cache-idle-seconds}): the same versions. */
    @Test
    void aUserForgottenByTheCacheKeepsTheVersionsTheDeviceHolds() {
        AtomicLong nanos = new AtomicLong();
        DavStore forgetful = newDav(nanos::get);
        MailStore node = new CompositeMailStore(mail, forgetful);
        String user = newUser();
        Folder contacts = defaultFolder(user, FolderType.CONTACTS);
        node.add(user, contacts.id(), contact("Ada Lovelace")).block();
        node.add(user, contacts.id(), contact("Grace Hopper")).block();
        FolderChanges synced = node.changesSince(user, contacts.id(), 0).block();

        nanos.addAndGet(Duration.ofHours(2).toNanos());
        assertThat(forgetful.knownUsers()).doesNotContain(user);

        FolderChanges after = node.changesSince(user, contacts.id(), synced.highestModSeq()).block();
        assertThat(after.resetRequired()).isTrue();
        assertThat(after.changed()).containsExactlyInAnyOrderElementsOf(synced.changed());
    }

    /** An ETag is unique among one resource's versions only (RFC 7232 2.1): the version names the resource too. */
    @Test
    void theVersionNamesTheResourceAndItsETag() {
        assertThat(DavStore.version("a.vcf", "\"1\"")).isEqualTo(DavStore.version("a.vcf", "\"1\""))
                .isNotEqualTo(DavStore.version("b.vcf", "\"1\""))
                .isNotEqualTo(DavStore.version("a.vcf", "\"2\""))
                .isPositive();
    }

    private static ItemContent.Pim event(String subject) {
        return new ItemContent.Pim(ItemClass.CALENDAR, WbxmlElement.el("AirSync:ApplicationData")
                .child("Calendar:Subject", subject).child("Calendar:StartTime", "20301201T100000Z")
                .child("Calendar:EndTime", "20301201T110000Z").build());
    }

    @Test
    @Override
    public void anItemAddedUnderAWriteIdIsFoundAgainNotAddedTwice() {
        String user = newUser();
        MailStoreContract.assertAddedOnce(store, user, people(user), contact("Ada Lovelace"));
        MailStoreContract.assertAddedOnce(store, user, defaultFolder(user, FolderType.CALENDAR),
                new ItemContent.Pim(ItemClass.CALENDAR, WbxmlElement.el("AirSync:ApplicationData")
                        .child("Calendar:Subject", "Review").child("Calendar:StartTime", "20301201T100000Z")
                        .child("Calendar:EndTime", "20301201T110000Z").build()));
    }

    @Test
    @Override
    public void changesSinceZeroListsEveryItemInTheOrderOfChanges() {
        String user = newUser();
        Folder folder = people(user);
        Item first = store.add(user, folder.id(), contact("One")).block();
        Item second = store.add(user, folder.id(), contact("Two")).block();

        FolderChanges changes = store.changesSince(user, folder.id(), 0).block();

        assertThat(changes.changed()).extracting(ItemVersion::id).containsExactly(first.id(), second.id());
        assertThat(changes.changed()).extracting(ItemVersion::modSeq).containsExactly(first.modSeq(), second.modSeq());
        assertThat(changes.vanished()).isEmpty();
        assertThat(changes.resetRequired()).isFalse();
        FolderChanges none = store.changesSince(user, folder.id(), changes.highestModSeq()).block();
        assertThat(none.changed()).isEmpty();
        assertThat(none.resetRequired()).isFalse();
    }

    @Test
    @Override
    public void aChangedItemIsListedWithANewVersion() {
        String user = newUser();
        Folder folder = people(user);
        Item first = store.add(user, folder.id(), contact("Ada Lovelace")).block();
        long before = store.changesSince(user, folder.id(), 0).block().highestModSeq();

        Item changed = store.change(user, folder.id(), first.id(), contact("Ada King")).block();
        FolderChanges changes = store.changesSince(user, folder.id(), before).block();

        assertThat(changed.id()).isEqualTo(first.id());
        assertThat(changed.modSeq()).isNotEqualTo(first.modSeq());
        assertThat(changes.changed()).extracting(ItemVersion::id, ItemVersion::modSeq)
                .containsExactly(tuple(first.id(), changed.modSeq()));
        assertThat(changes.highestModSeq()).isGreaterThan(before);
    }

    @Test
    @Override
    public void aDeletedItemVanishes() {
        String user = newUser();
        Folder folder = people(user);
        Item kept = store.add(user, folder.id(), contact("Kept")).block();
        Item deleted = store.add(user, folder.id(), contact("Deleted")).block();
        long before = store.changesSince(user, folder.id(), 0).block().highestModSeq();

        store.delete(user, folder.id(), deleted.id()).block();
        FolderChanges changes = store.changesSince(user, folder.id(), before).block();

        assertThat(changes.vanished()).containsExactly(deleted.id());
        assertThat(changes.changed()).isEmpty();
        assertThat(store.item(user, folder.id(), deleted.id()).blockOptional()).isEmpty();
        assertThat(store.changesSince(user, folder.id(), 0).block().changed())
                .extracting(ItemVersion::id).containsExactly(kept.id());
        store.delete(user, folder.id(), deleted.id()).block(); // gone already: completes
    }

    @Test
    @Override
    public void aMovedItemVanishesFromTheSourceAndIsAddedToTheTarget() {
        String user = newUser();
        Folder source = defaultFolder(user, FolderType.CONTACTS);
        Folder target = people(user);
        Item item = store.add(user, source.id(), contact("Moving")).block();
        long sourceBefore = store.changesSince(user, source.id(), 0).block().highestModSeq();

        Item moved = store.move(user, source.id(), item.id(), target.id()).block();

        assertThat(moved.folderId()).isEqualTo(target.id());
        assertThat(moved.content()).isEqualTo(item.content());
        assertThat(store.changesSince(user, source.id(), sourceBefore).block().vanished()).containsExactly(item.id());
        assertThat(store.item(user, target.id(), moved.id()).block()).isEqualTo(moved);
    }

    // ---- DAV only ---------------------------------------------------------------------------------------------------

    @Test
    void aNewUserGetsADefaultCalendarAddressBookAndTaskList() {
        String user = newUser();
        List<Folder> folders = store.folders(user).collectList().block();
        assertThat(folders).extracting(Folder::type)
                .contains(FolderType.INBOX, FolderType.CALENDAR, FolderType.CONTACTS, FolderType.TASKS);
        assertThat(folders).filteredOn(f -> f.type() == FolderType.CALENDAR).hasSize(1)
                .allSatisfy(f -> assertThat(CompositeMailStore.isDavId(f.id())).isTrue());
    }

    @Test
    void eventsAndTasksKeepWhatThePhoneSent() {
        String user = newUser();
        Folder calendar = defaultFolder(user, FolderType.CALENDAR);
        Folder tasks = defaultFolder(user, FolderType.TASKS);
        ItemContent.Pim event = new ItemContent.Pim(ItemClass.CALENDAR, PimConversionTest.meeting());
        ItemContent.Pim task = new ItemContent.Pim(ItemClass.TASKS, PimConversionTest.task());
        ItemContent.Pim card = new ItemContent.Pim(ItemClass.CONTACTS, PimConversionTest.contact());

        Item e = store.add(user, calendar.id(), event).block();
        Item t = store.add(user, tasks.id(), task).block();
        Item c = store.add(user, defaultFolder(user, FolderType.CONTACTS).id(), card).block();

        assertThat(store.item(user, calendar.id(), e.id()).block().content()).isEqualTo(event);
        assertThat(store.item(user, tasks.id(), t.id()).block().content()).isEqualTo(task);
        assertThat(store.item(user, c.folderId(), c.id()).block().content()).isEqualTo(card);
        assertThat(e.date()).isEqualTo(java.time.Instant.parse("2025-06-02T07:00:00Z"));
    }

    @Test
    void aChangeMadeOnTheServerIsListedAndConverted() throws Exception {
        String user = newUser();
        Folder contacts = defaultFolder(user, FolderType.CONTACTS);
        long before = store.changesSince(user, contacts.id(), 0).block().highestModSeq();

        HttpResponse<String> put = radicale.request("PUT", user + "/contacts/grace.vcf", "text/vcard", """
                BEGIN:VCARD\r
                VERSION:3.0\r
                UID:grace\r
                FN:Grace Hopper\r
                N:Hopper;Grace;;;\r
                EMAIL;TYPE=INTERNET:grace@example.com\r
                TEL;TYPE=CELL:+1 555 0123\r
                END:VCARD\r
                """);
        assertThat(put.statusCode()).isEqualTo(201);

        FolderChanges changes = store.changesSince(user, contacts.id(), before).block();
        assertThat(changes.changed()).hasSize(1);
        Item item = store.item(user, contacts.id(), changes.changed().get(0).id()).block();
        ItemContent.Pim pim = (ItemContent.Pim) item.content();
        assertThat(pim.applicationData().childText("Contacts:FileAs")).isEqualTo("Grace Hopper");
        assertThat(pim.applicationData().childText("Contacts:Email1Address")).isEqualTo("grace@example.com");
        assertThat(pim.applicationData().childText("Contacts:MobilePhoneNumber")).isEqualTo("+1 555 0123");
        assertThat(item.id()).isEqualTo(contacts.id() + ":grace.vcf");
    }

    @Test
    void aWriteWithAStaleETagIsRefusedNotOverwritten() throws Exception {
        String user = newUser();
        Folder contacts = defaultFolder(user, FolderType.CONTACTS);
        Item item = store.add(user, contacts.id(), contact("Ada Lovelace")).block();
        String name = item.id().substring(item.id().indexOf(':') + 1);
        // someone changes the card on the server, behind the gateway's back
        HttpResponse<String> put = radicale.request("PUT", user + "/contacts/" + name, "text/vcard", """
                BEGIN:VCARD\r
                VERSION:3.0\r
                UID:%s\r
                FN:Changed On The Server\r
                N:Server;Changed;;;\r
                END:VCARD\r
                """.formatted(name.replace(".vcf", "")));
        assertThat(put.statusCode() / 100).as(put.body()).isEqualTo(2);

        assertFails(store.change(user, contacts.id(), item.id(), contact("Ada King")), Kind.NOT_ALLOWED);

        String onServer = radicale.request("GET", user + "/contacts/" + name, null, null).body();
        assertThat(onServer).contains("FN:Changed On The Server").doesNotContain("Ada King");
        // the next Sync hands the server's version to the phone
        assertThat(((ItemContent.Pim) store.item(user, contacts.id(), item.id()).block().content())
                .applicationData().childText("Contacts:FileAs")).isEqualTo("Changed On The Server");
    }

    @Test
    void anUnknownWatermarkAsksForAFullCompare() {
        String user = newUser();
        Folder folder = people(user);
        store.add(user, folder.id(), contact("One")).block();

        FolderChanges changes = store.changesSince(user, folder.id(), 12345).block();

        assertThat(changes.resetRequired()).isTrue();
        assertThat(changes.changed()).hasSize(1);
    }

    /**
     * A watermark from a node whose numbers run ahead of this one's (or from an earlier run of it) is answered with
     * a watermark past it, which this node then answers incrementally: the core keeps the higher of the two, and a
     * device moving between nodes would otherwise compare its whole folders on every request.
     */
    @Test
    void aWatermarkAheadOfThisNodeIsAnsweredWithOnePastIt() {
        String user = newUser();
        Folder folder = people(user);
        Item item = store.add(user, folder.id(), contact("One")).block();
        long ahead = store.changesSince(user, folder.id(), 0).block().highestModSeq() + 3_600_000_000L;

        FolderChanges reset = store.changesSince(user, folder.id(), ahead).block();
        assertThat(reset.resetRequired()).isTrue();
        assertThat(reset.changed()).extracting(ItemVersion::id, ItemVersion::modSeq)
                .containsExactly(tuple(item.id(), item.modSeq()));
        assertThat(reset.highestModSeq()).isGreaterThan(ahead);

        FolderChanges next = store.changesSince(user, folder.id(), reset.highestModSeq()).block();
        assertThat(next.resetRequired()).isFalse();
        assertThat(next.changed()).isEmpty();
        Item changed = store.change(user, folder.id(), item.id(), contact("One, changed")).block();
        FolderChanges after = store.changesSince(user, folder.id(), reset.highestModSeq()).block();
        assertThat(after.resetRequired()).isFalse();
        assertThat(after.changed()).extracting(ItemVersion::modSeq).containsExactly(changed.modSeq());
    }

    @Test
    void davFoldersAreNotNestedAndDefaultsStay() {
        String user = newUser();
        Folder calendar = defaultFolder(user, FolderType.CALENDAR);
        assertFails(store.deleteFolder(user, calendar.id()), Kind.NOT_ALLOWED);
        Folder people = people(user);
        assertFails(store.createFolder(user, Folder.ROOT, "People", FolderType.USER_CONTACTS), Kind.ALREADY_EXISTS);
        Folder renamed = store.updateFolder(user, people.id(), Folder.ROOT, "Friends").block();
        assertThat(renamed.name()).isEqualTo("Friends");
        store.deleteFolder(user, people.id()).block();
        assertFails(store.changesSince(user, people.id(), 0), Kind.NOT_FOUND);
    }
}
