package dev.easgate.backends.memory;

import static dev.easgate.backends.mail.MailStoreContract.assertFails;
import static dev.easgate.backends.mail.MailStoreContract.email;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreContract;
import dev.easgate.backends.mail.MailStoreException.Kind;
import dev.easgate.backends.mail.MailboxChange;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoryMailStoreTest implements MailStoreContract {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-02T10:00:00Z"), ZoneOffset.UTC);

    private final List<MailboxChange> changes = new CopyOnWriteArrayList<>();
    private final MemoryMailStore store = new MemoryMailStore(CLOCK, MailboxSeeder.STANDARD_FOLDERS, changes::add);

    @Override
    public MailStore store() {
        return store;
    }

    @Test
    void everyStandardFolderIsThereAndCannotBeDeleted() {
        String user = newUser();
        List<Folder> folders = store.folders(user).collectList().block();

        assertThat(folders).extracting(Folder::type).containsExactly(FolderType.INBOX, FolderType.DRAFTS,
                FolderType.DELETED_ITEMS, FolderType.SENT_ITEMS, FolderType.OUTBOX, FolderType.TASKS,
                FolderType.CALENDAR, FolderType.CONTACTS, FolderType.NOTES);
        assertThat(folders).extracting(Folder::id).containsExactly("f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8",
                "f9");
        for (Folder folder : folders) {
            assertFails(store.deleteFolder(user, folder.id()), Kind.NOT_ALLOWED);
            assertFails(store.updateFolder(user, folder.id(), Folder.ROOT, "Other"), Kind.NOT_ALLOWED);
        }
    }

    @Test
    void usersSharingUntouchedSeededFoldersKeepTheirWritesApart() {
        String one = newUser();
        String other = newUser();
        String inbox = store.folders(one).blockFirst().id();
        long before = store.changesSince(other, inbox, 0).block().highestModSeq();

        Item added = store.add(one, inbox, email("only for one")).block();
        store.addOnce(one, "f2", "w1", email("draft of one")).block();
        store.deliver(one, "Subject: hi\r\n\r\nhi".getBytes(StandardCharsets.US_ASCII)).block();
        store.move(one, inbox, added.id(), "f3").block();

        assertThat(store.changesSince(other, inbox, 0).block().changed()).isEmpty();
        assertThat(store.changesSince(other, inbox, 0).block().highestModSeq()).isEqualTo(before);
        assertThat(store.changesSince(other, "f2", 0).block().changed()).isEmpty();
        assertThat(store.changesSince(other, "f3", 0).block().changed()).isEmpty();
        assertThat(store.changesSince(one, inbox, 0).block().changed()).hasSize(1);
        assertThat(store.changesSince(one, "f3", 0).block().changed()).hasSize(1);
        assertThat(store.item(other, "f3", added.id()).block()).isNull();
        // a new user after the writes is seeded as empty as ever
        assertThat(store.changesSince(newUser(), inbox, 0).block().changed()).isEmpty();
    }

    @Test
    void foldersOfSpecialTypesCannotBeCreated() {
        assertFails(store.createFolder(newUser(), Folder.ROOT, "Inbox 2", FolderType.INBOX), Kind.INVALID);
    }

    @Test
    void aFolderCannotMoveBelowItself() {
        String user = newUser();
        Folder parent = mailFolder(user, Folder.ROOT, "Parent");
        Folder child = mailFolder(user, parent.id(), "Child");

        assertFails(store.updateFolder(user, parent.id(), child.id(), "Parent"), Kind.INVALID);
        assertFails(store.updateFolder(user, parent.id(), parent.id(), "Parent"), Kind.INVALID);
    }

    @Test
    void folderNamesClashIgnoringCase() {
        String user = newUser();
        mailFolder(user, Folder.ROOT, "Reports");

        assertFails(store.createFolder(user, Folder.ROOT, "REPORTS", FolderType.USER_MAIL), Kind.ALREADY_EXISTS);
    }

    @Test
    void movingWithinTheSameFolderIsInvalid() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        Item item = store.add(user, folder.id(), email("x")).block();

        assertFails(store.move(user, folder.id(), item.id(), folder.id()), Kind.INVALID);
    }

    @Test
    void itemIdsNameTheirFolder() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");

        assertThat(store.add(user, folder.id(), email("x")).block().id()).isEqualTo(folder.id() + ":1");
    }

    @Test
    void nothingHappensUntilSubscription() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");

        store.add(user, folder.id(), email("never subscribed"));

        assertThat(store.changesSince(user, folder.id(), 0).block().changed()).isEmpty();
    }

    @Test
    void theListenerLearnsOfEveryWrite() {
        String user = newUser();
        Folder source = mailFolder(user, Folder.ROOT, "Source");
        Folder target = mailFolder(user, Folder.ROOT, "Target");
        store.updateFolder(user, target.id(), Folder.ROOT, "Renamed").block();
        Item item = store.add(user, source.id(), email("x")).block();
        store.change(user, source.id(), item.id(), email("x")).block();
        Item moved = store.move(user, source.id(), item.id(), target.id()).block();
        store.delete(user, target.id(), moved.id()).block();
        store.delete(user, target.id(), moved.id()).block(); // already gone: no write
        store.deleteFolder(user, source.id()).block();

        assertThat(changes).containsExactly(
                MailboxChange.hierarchy(user, source.id()),
                MailboxChange.hierarchy(user, target.id()),
                MailboxChange.hierarchy(user, target.id()),
                MailboxChange.items(user, source.id()),
                MailboxChange.items(user, source.id()),
                MailboxChange.items(user, source.id()),
                MailboxChange.items(user, target.id()),
                MailboxChange.items(user, target.id()),
                MailboxChange.hierarchy(user, source.id()));
    }

    @Test
    void aFailingListenerDoesNotFailTheWrite() {
        MemoryMailStore failing = new MemoryMailStore(CLOCK, MailboxSeeder.STANDARD_FOLDERS, change -> {
            throw new IllegalStateException("listener broke");
        });

        assertThat(failing.createFolder("u", Folder.ROOT, "Box", FolderType.USER_MAIL).block()).isNotNull();
    }

    @Test
    void readsPublishNothing() {
        String user = newUser();
        store.folders(user).collectList().block();
        store.changesSince(user, inbox(user).id(), 0).block();

        assertThat(changes).isEmpty();
    }

    @Test
    void prunedTombstonesMakeOlderCallersStartOver() {
        MemoryMailStore small = new MemoryMailStore(CLOCK, MailboxSeeder.STANDARD_FOLDERS, change -> { }, 3);
        String user = "u";
        String inbox = "f1";
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            items.add(small.add(user, inbox, email("m" + i)).block());
        }
        long beforeDeletes = items.get(5).modSeq();
        for (int i = 0; i < 5; i++) {
            small.delete(user, inbox, items.get(i).id()).block();
        }
        // five tombstones, three kept: the deletions of m0 and m1 are forgotten
        FolderChanges fromBefore = small.changesSince(user, inbox, beforeDeletes).block();
        assertThat(fromBefore.resetRequired()).isTrue();
        assertThat(fromBefore.changed()).extracting(ItemVersion::id).containsExactly(items.get(5).id());
        assertThat(fromBefore.vanished()).isEmpty();

        long afterSecondDelete = beforeDeletes + 2;
        FolderChanges fromLater = small.changesSince(user, inbox, afterSecondDelete).block();
        assertThat(fromLater.resetRequired()).isFalse();
        assertThat(fromLater.vanished()).containsExactly(items.get(2).id(), items.get(3).id(), items.get(4).id());
    }

    @Test
    void aSequenceTheStoreNeverIssuedMakesTheCallerStartOver() {
        String user = newUser();
        Item item = store.add(user, inbox(user).id(), email("x")).block();

        FolderChanges changes = store.changesSince(user, inbox(user).id(), item.modSeq() + 100).block();

        assertThat(changes.resetRequired()).isTrue();
        assertThat(changes.changed()).extracting(ItemVersion::id).containsExactly(item.id());
    }

    @Test
    void aWatermarkFromBeforeARestartMakesTheCallerStartOverAgainstTheReseededStore() {
        // the gateway restarted: its device state survived on disk, its mailboxes were seeded anew
        MemoryMailStore before = new MemoryMailStore(CLOCK, MailboxSeeder.STANDARD_FOLDERS, change -> { });
        String inbox = before.folders("u").blockFirst().id();
        Item kept = before.add("u", inbox, email("seeded")).block();
        Item gone = before.add("u", inbox, email("delivered before the restart")).block();
        long watermark = before.changesSince("u", inbox, 0).block().highestModSeq();
        MemoryMailStore after = new MemoryMailStore(Clock.offset(CLOCK, Duration.ofSeconds(5)),
                MailboxSeeder.STANDARD_FOLDERS, change -> { });
        Item reseeded = after.add("u", inbox, email("seeded")).block();
        Item fresh = after.add("u", inbox, email("delivered after the restart")).block();
        Item third = after.add("u", inbox, email("and another")).block();

        FolderChanges changes = after.changesSince("u", inbox, watermark).block();

        // the old watermark lies below every sequence of the new store, even though the new one has more items
        assertThat(watermark).isLessThan(fresh.modSeq());
        assertThat(changes.resetRequired()).isTrue();
        assertThat(changes.changed()).extracting(ItemVersion::id)
                .containsExactly(reseeded.id(), fresh.id(), third.id());
        // the same ids name other items now: each carries a higher sequence than the device holds, so the core
        // sends it again as a Change rather than keeping the old one
        assertThat(reseeded.id()).isEqualTo(kept.id());
        assertThat(fresh.id()).isEqualTo(gone.id());
        assertThat(reseeded.modSeq()).isGreaterThan(gone.modSeq());
        // a watermark of the new store itself is answered incrementally
        long now = after.changesSince("u", inbox, 0).block().highestModSeq();
        assertThat(after.changesSince("u", inbox, now).block().resetRequired()).isFalse();
        assertThat(after.changesSince("u", inbox, fresh.modSeq()).block().changed()).extracting(ItemVersion::id)
                .containsExactly(third.id());
    }

    @Test
    void calendarItemsAreDatedByTheirStart() {
        String user = newUser();
        Folder calendar = store.folders(user).filter(f -> f.type() == FolderType.CALENDAR).blockFirst();
        ItemContent.Pim event = new ItemContent.Pim(dev.easgate.backends.mail.ItemClass.CALENDAR,
                dev.easgate.wbxml.WbxmlElement.el("AirSync:ApplicationData")
                        .child("Calendar:StartTime", "20250610T140000Z")
                        .child("Calendar:Subject", "Meeting")
                        .build());

        assertThat(store.add(user, calendar.id(), event).block().date())
                .isEqualTo(Instant.parse("2025-06-10T14:00:00Z"));
    }

    @Test
    void deliverPutsAnUnreadMessageInTheInbox() {
        String user = newUser();
        byte[] mime = "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);

        Item item = store.deliver(user, mime).block();

        assertThat(item.folderId()).isEqualTo(inbox(user).id());
        assertThat(item.date()).isEqualTo(CLOCK.instant());
        ItemContent.Email email = (ItemContent.Email) item.content();
        assertThat(email.mime()).isEqualTo(mime);
        assertThat(email.flags().read()).isFalse();
        assertThat(changes).containsExactly(MailboxChange.items(user, inbox(user).id()));
    }

    @Test
    void theSeederRunsOncePerUser() {
        AtomicInteger seeded = new AtomicInteger();
        MemoryMailStore counting = new MemoryMailStore(CLOCK, (user, mailbox) -> {
            seeded.incrementAndGet();
            MailboxSeeder.createStandardFolders(mailbox);
        }, change -> { });

        counting.folders("a").blockLast();
        counting.folders("a").blockLast();
        counting.changesSince("a", "f1", 0).block();
        counting.folders("b").blockLast();

        assertThat(seeded).hasValue(2);
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        String user = newUser();
        String inbox = inbox(user).id();
        long start = store.changesSince(user, inbox, 0).block().highestModSeq();
        int threads = 8;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        Item item = store.add(user, inbox, email("concurrent")).block();
                        if (i % 5 == 0) {
                            store.delete(user, inbox, item.id()).block();
                        }
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        FolderChanges all = store.changesSince(user, inbox, 0).block();
        int deleted = threads * perThread / 5;
        assertThat(all.changed()).hasSize(threads * perThread - deleted);
        assertThat(all.changed()).extracting(ItemVersion::modSeq).isSorted().doesNotHaveDuplicates();
        assertThat(all.highestModSeq() - start).isEqualTo(threads * perThread + deleted);
    }
}
