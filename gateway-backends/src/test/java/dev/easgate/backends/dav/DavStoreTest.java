package dev.easgate.backends.dav;

import static dev.easgate.backends.mail.MailStoreContract.assertFails;
import static dev.easgate.backends.mail.MailStoreContract.contact;
import static org.assertj.core.api.Assertions.assertThat;

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
    private MailStore store;

    @BeforeAll
    void start() throws Exception {
        radicale = RadicaleProcess.start();
        // the service account path: one login for every user (DavStorePerUserTest logs in as each user)
        dav = new DavStore(new DavClient(Duration.ofSeconds(10)), DavCredentials.service(RadicaleProcess.SERVICE_USER,
                RadicaleProcess.SERVICE_PASSWORD), radicale.url(), Clock.systemUTC(), 1000, Duration.ofHours(1));
        store = new CompositeMailStore(new MemoryMailStore(Clock.systemUTC()), dav);
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

    private Folder people(String user) {
        return store.createFolder(user, Folder.ROOT, "People", FolderType.USER_CONTACTS).block();
    }

    private Folder defaultFolder(String user, FolderType type) {
        return store.folders(user).filter(f -> f.type() == type).blockFirst();
    }

    // ---- contract item tests on DAV items (see the class comment) ------------------------------------------------

    @Test
    @Override
    public void addedItemsGetIdsAndStrictlyIncreasingModSeqs() {
        String user = newUser();
        Folder folder = people(user);
        Item first = store.add(user, folder.id(), contact("One")).block();
        Item second = store.add(user, folder.id(), contact("Two")).block();
        Item third = store.add(user, folder.id(), contact("Three")).block();

        assertThat(List.of(first.id(), second.id(), third.id())).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id.length()).isBetween(1, 64));
        assertThat(first.folderId()).isEqualTo(folder.id());
        assertThat(second.modSeq()).isGreaterThan(first.modSeq());
        assertThat(third.modSeq()).isGreaterThan(second.modSeq());
        assertThat(store.item(user, folder.id(), second.id()).block()).isEqualTo(second);
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
    public void changesSinceZeroListsEveryItemInModSeqOrder() {
        String user = newUser();
        Folder folder = people(user);
        Item first = store.add(user, folder.id(), contact("One")).block();
        Item second = store.add(user, folder.id(), contact("Two")).block();

        FolderChanges changes = store.changesSince(user, folder.id(), 0).block();

        assertThat(changes.changed()).extracting(ItemVersion::id).containsExactly(first.id(), second.id());
        assertThat(changes.changed()).extracting(ItemVersion::modSeq).containsExactly(first.modSeq(), second.modSeq());
        assertThat(changes.vanished()).isEmpty();
        assertThat(changes.resetRequired()).isFalse();
        assertThat(changes.highestModSeq()).isEqualTo(second.modSeq());
        FolderChanges none = store.changesSince(user, folder.id(), changes.highestModSeq()).block();
        assertThat(none.changed()).isEmpty();
        assertThat(none.resetRequired()).isFalse();
    }

    @Test
    @Override
    public void aChangedItemIsListedWithAHigherModSeq() {
        String user = newUser();
        Folder folder = people(user);
        Item first = store.add(user, folder.id(), contact("Ada Lovelace")).block();
        long before = store.changesSince(user, folder.id(), 0).block().highestModSeq();

        Item changed = store.change(user, folder.id(), first.id(), contact("Ada King")).block();
        FolderChanges changes = store.changesSince(user, folder.id(), before).block();

        assertThat(changed.id()).isEqualTo(first.id());
        assertThat(changed.modSeq()).isGreaterThan(before);
        assertThat(changes.changed()).extracting(ItemVersion::id).containsExactly(first.id());
        assertThat(changes.highestModSeq()).isEqualTo(changed.modSeq());
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
