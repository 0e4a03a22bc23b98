package dev.easgate.backends.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.easgate.backends.mail.MailStoreException.Kind;
import dev.easgate.wbxml.WbxmlElement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What every {@link MailStore} does, written once: an implementation's test class implements this interface and
 * supplies the store. Each test works in a user of its own; the store must give every user an Inbox and allow
 * user-created mail and contacts folders.
 */
public interface MailStoreContract {

    MailStore store();

    /**
     * A second store over the same server, as a node started again (or another node, or the same one after it
     * forgot the user) has it. By default {@link #store()} itself: a store without a server of its own (memory)
     * has no other instance over the same items.
     */
    default MailStore restarted() {
        return store();
    }

    /** A user nobody else touches. */
    default String newUser() {
        return "contract-" + UUID.randomUUID();
    }

    // ---- folders ------------------------------------------------------------------------------------------------

    @Test
    default void aNewUserHasAnInbox() {
        String user = newUser();
        assertThat(store().folders(user).collectList().block())
                .anySatisfy(folder -> assertThat(folder.type()).isEqualTo(FolderType.INBOX));
    }

    @Test
    default void createdFolderIsListedWithItsParentAndType() {
        String user = newUser();
        Folder parent = mailFolder(user, Folder.ROOT, "Projects");
        Folder child = mailFolder(user, parent.id(), "Phoenix");

        assertThat(child.parentId()).isEqualTo(parent.id());
        assertThat(child.name()).isEqualTo("Phoenix");
        assertThat(child.type()).isEqualTo(FolderType.USER_MAIL);
        assertThat(store().folders(user).collectList().block()).contains(parent, child);
    }

    @Test
    default void foldersListParentsBeforeChildren() {
        String user = newUser();
        Folder first = mailFolder(user, Folder.ROOT, "First");
        Folder child = mailFolder(user, first.id(), "Child");
        Folder later = mailFolder(user, Folder.ROOT, "Later");
        store().updateFolder(user, first.id(), later.id(), "First").block(); // now below a folder made after it

        List<String> ids = store().folders(user).map(Folder::id).collectList().block();
        assertThat(ids.indexOf(later.id())).isLessThan(ids.indexOf(first.id()));
        assertThat(ids.indexOf(first.id())).isLessThan(ids.indexOf(child.id()));
    }

    @Test
    default void folderOfADuplicateNameUnderTheSameParentAlreadyExists() {
        String user = newUser();
        Folder parent = mailFolder(user, Folder.ROOT, "Parent");
        mailFolder(user, parent.id(), "Reports");

        assertFails(store().createFolder(user, parent.id(), "Reports", FolderType.USER_MAIL), Kind.ALREADY_EXISTS);
        // the same name under another parent is fine
        assertThat(mailFolder(user, Folder.ROOT, "Reports").name()).isEqualTo("Reports");
    }

    @Test
    default void folderUnderAnUnknownParentIsNotFound() {
        assertFails(store().createFolder(newUser(), "no-such-folder", "X", FolderType.USER_MAIL), Kind.NOT_FOUND);
    }

    @Test
    default void updateFolderRenamesAndMovesKeepingTheId() {
        String user = newUser();
        Folder a = mailFolder(user, Folder.ROOT, "A");
        Folder b = mailFolder(user, Folder.ROOT, "B");

        Folder renamed = store().updateFolder(user, a.id(), b.id(), "A2").block();

        assertThat(renamed).isEqualTo(new Folder(a.id(), b.id(), "A2", FolderType.USER_MAIL));
        assertThat(store().folders(user).collectList().block()).contains(renamed).doesNotContain(a);
    }

    @Test
    default void updateFolderToATakenNameAlreadyExists() {
        String user = newUser();
        Folder a = mailFolder(user, Folder.ROOT, "A");
        mailFolder(user, Folder.ROOT, "B");

        assertFails(store().updateFolder(user, a.id(), Folder.ROOT, "B"), Kind.ALREADY_EXISTS);
    }

    @Test
    default void updateOfAnUnknownFolderIsNotFound() {
        assertFails(store().updateFolder(newUser(), "no-such-folder", Folder.ROOT, "X"), Kind.NOT_FOUND);
    }

    @Test
    default void theInboxCanBeNeitherDeletedNorRenamed() {
        String user = newUser();
        Folder inbox = inbox(user);

        assertFails(store().deleteFolder(user, inbox.id()), Kind.NOT_ALLOWED);
        assertFails(store().updateFolder(user, inbox.id(), Folder.ROOT, "Renamed"), Kind.NOT_ALLOWED);
        assertThat(store().folders(user).collectList().block()).contains(inbox);
    }

    @Test
    default void deleteFolderRemovesItsSubfoldersAndItems() {
        String user = newUser();
        Folder parent = mailFolder(user, Folder.ROOT, "Parent");
        Folder child = mailFolder(user, parent.id(), "Child");
        store().add(user, child.id(), email("in the child")).block();

        store().deleteFolder(user, parent.id()).block();

        assertThat(store().folders(user).map(Folder::id).collectList().block())
                .doesNotContain(parent.id(), child.id());
        assertFails(store().changesSince(user, child.id(), 0), Kind.NOT_FOUND);
    }

    @Test
    default void deleteOfAnUnknownFolderIsNotFound() {
        assertFails(store().deleteFolder(newUser(), "no-such-folder"), Kind.NOT_FOUND);
    }

    @Test
    default void usersHaveSeparateStores() {
        String alice = newUser();
        String bob = newUser();
        Folder folder = mailFolder(alice, Folder.ROOT, "Private");

        assertThat(store().folders(bob).map(Folder::name).collectList().block()).doesNotContain("Private");
        assertFails(store().changesSince(bob, folder.id(), 0), Kind.NOT_FOUND);
    }

    // ---- items and change tracking ------------------------------------------------------------------------------

    @Test
    default void addedItemsGetIdsAndTheWatermarkGrows() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        assertAddsGetIdsAndMoveTheWatermark(store(), user, folder, email("one"), email("two"), email("three"));
    }

    /**
     * What {@link #addedItemsGetIdsAndTheWatermarkGrows} checks, for any items: distinct ids, the version an add
     * answers is the one read back, and each add moves the folder's watermark. Versions are not an order
     * ({@link ItemVersion#modSeq}).
     */
    static void assertAddsGetIdsAndMoveTheWatermark(MailStore store, String user, Folder folder,
                                                    ItemContent... contents) {
        List<Item> added = new ArrayList<>();
        long watermark = store.changesSince(user, folder.id(), 0).block().highestModSeq();
        for (ItemContent content : contents) {
            added.add(store.add(user, folder.id(), content).block());
            long next = store.changesSince(user, folder.id(), 0).block().highestModSeq();
            assertThat(next).isGreaterThan(watermark);
            watermark = next;
        }
        assertThat(added).extracting(Item::id).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id.length()).isBetween(1, 64)); // MS-ASCMD ServerId: up to 64
        assertThat(added).extracting(Item::folderId).containsOnly(folder.id());
        for (Item item : added) {
            assertThat(store.item(user, folder.id(), item.id()).block()).isEqualTo(item);
        }
    }

    /** {@link MailStore#addOnce}: the same write id again finds the first item; another write id adds. */
    @Test
    default void anItemAddedUnderAWriteIdIsFoundAgainNotAddedTwice() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        assertAddedOnce(store(), user, folder, email("draft"));
    }

    /** What {@link #anItemAddedUnderAWriteIdIsFoundAgainNotAddedTwice} checks, for any item the folder holds. */
    static void assertAddedOnce(MailStore store, String user, Folder folder, ItemContent content) {
        String writeId = UUID.randomUUID().toString();
        Item first = store.addOnce(user, folder.id(), writeId, content).block();
        Item again = store.addOnce(user, folder.id(), writeId, content).block();
        Item other = store.addOnce(user, folder.id(), UUID.randomUUID().toString(), content).block();

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.modSeq()).isEqualTo(first.modSeq());
        assertThat(other.id()).isNotEqualTo(first.id());
        assertThat(store.changesSince(user, folder.id(), 0).block().changed()).extracting(ItemVersion::id)
                .containsExactlyInAnyOrder(first.id(), other.id());
        assertThat(store.item(user, folder.id(), first.id()).block().content().itemClass())
                .isEqualTo(content.itemClass());
    }

    /**
     * Issue 13, "nothing sent twice": a node started again over the same server answers the watermark a device
     * holds either incrementally (nothing new) or with {@code resetRequired}, and then every unchanged item has the
     * version the device holds, so the core's compare of the whole folder sends nothing again.
     */
    @Test
    default void anotherStoreOverTheSameServerReportsTheVersionsTheDeviceHolds() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        Item changed = store().add(user, folder.id(), email("one")).block();
        store().add(user, folder.id(), email("two")).block();
        store().change(user, folder.id(), changed.id(), email("one").withFlags(EmailFlags.UNREAD.withRead(true)))
                .block();
        assertSameVersionsOnAnotherStore(store(), restarted(), user, folder,
                id -> store().change(user, folder.id(), id, email("one").withFlags(EmailFlags.UNREAD)));
    }

    /**
     * What {@link #anotherStoreOverTheSameServerReportsTheVersionsTheDeviceHolds} checks on a folder holding
     * items: a device synced to the end on {@code first} holds every item's version and the watermark; the other
     * store answers that watermark with nothing to send; then {@code change} (a write through {@code first} to the
     * last changed item, that changes it) is listed by the other store exactly once, with the version {@code first}
     * answered.
     */
    static void assertSameVersionsOnAnotherStore(MailStore first, MailStore other, String user, Folder folder,
                                                 Function<String, Mono<Item>> change) {
        FolderChanges synced = first.changesSince(user, folder.id(), 0).block();
        assertThat(synced.changed()).isNotEmpty();
        Map<String, Long> held = new HashMap<>();
        synced.changed().forEach(v -> held.put(v.id(), v.modSeq()));

        FolderChanges after = other.changesSince(user, folder.id(), synced.highestModSeq()).block();
        if (after.resetRequired()) {
            // the core compares the whole folder: every item listed, each at the version the device holds
            Map<String, Long> listed = new HashMap<>();
            after.changed().forEach(v -> listed.put(v.id(), v.modSeq()));
            assertThat(listed).as("versions after a reset").isEqualTo(held);
        } else {
            assertThat(after.changed()).as("changes after the device's watermark").isEmpty();
            assertThat(after.vanished()).isEmpty();
        }
        for (ItemVersion version : synced.changed()) {
            assertThat(other.item(user, folder.id(), version.id()).block().modSeq()).isEqualTo(version.modSeq());
        }

        String id = synced.changed().get(synced.changed().size() - 1).id();
        long watermark = after.highestModSeq();
        Item written = change.apply(id).block();
        assertThat(written.modSeq()).isNotEqualTo(held.get(id));
        FolderChanges next = other.changesSince(user, folder.id(), watermark).block();
        assertThat(next.resetRequired()).isFalse();
        assertThat(next.changed()).extracting(ItemVersion::id, ItemVersion::modSeq)
                .containsExactly(tuple(id, written.modSeq()));
        assertThat(other.changesSince(user, folder.id(), next.highestModSeq()).block().changed()).isEmpty();
    }

    @Test
    default void changesSinceZeroListsEveryItemInTheOrderOfChanges() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        Item first = store().add(user, folder.id(), email("one")).block();
        Item second = store().add(user, folder.id(), email("two")).block();

        FolderChanges changes = store().changesSince(user, folder.id(), 0).block();

        assertThat(changes.changed()).extracting(ItemVersion::id).containsExactly(first.id(), second.id());
        assertThat(changes.changed()).extracting(ItemVersion::modSeq).containsExactly(first.modSeq(), second.modSeq());
        assertThat(changes.changed().get(0).date()).isEqualTo(first.date());
        assertThat(changes.vanished()).isEmpty();
        assertThat(changes.resetRequired()).isFalse();
        assertThat(store().changesSince(user, folder.id(), changes.highestModSeq()).block().changed()).isEmpty();
    }

    @Test
    default void changesSinceTheHighestModSeqIsEmpty() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        store().add(user, folder.id(), email("one")).block();
        long highest = store().changesSince(user, folder.id(), 0).block().highestModSeq();

        StepVerifier.create(store().changesSince(user, folder.id(), highest))
                .assertNext(changes -> {
                    assertThat(changes.changed()).isEmpty();
                    assertThat(changes.vanished()).isEmpty();
                    assertThat(changes.resetRequired()).isFalse();
                    assertThat(changes.highestModSeq()).isEqualTo(highest);
                })
                .verifyComplete();
    }

    @Test
    default void anEmptyFolderHasNoChanges() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Empty");

        FolderChanges changes = store().changesSince(user, folder.id(), 0).block();

        assertThat(changes.changed()).isEmpty();
        assertThat(changes.vanished()).isEmpty();
    }

    @Test
    default void aChangedItemIsListedWithANewVersion() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        Item first = store().add(user, folder.id(), email("one")).block();
        store().add(user, folder.id(), email("two")).block();
        long before = store().changesSince(user, folder.id(), 0).block().highestModSeq();

        Item changed = store().change(user, folder.id(), first.id(), email("one").withFlags(EmailFlags.UNREAD
                .withRead(true))).block();
        FolderChanges changes = store().changesSince(user, folder.id(), before).block();

        assertThat(changed.id()).isEqualTo(first.id());
        assertThat(changed.modSeq()).isNotEqualTo(first.modSeq());
        assertThat(changes.changed()).containsExactly(new ItemVersion(first.id(), changed.modSeq(), first.date()));
        assertThat(changes.highestModSeq()).isGreaterThan(before);
    }

    @Test
    default void aDeletedItemVanishes() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        Item kept = store().add(user, folder.id(), email("kept")).block();
        Item deleted = store().add(user, folder.id(), email("deleted")).block();
        long before = store().changesSince(user, folder.id(), 0).block().highestModSeq();

        store().delete(user, folder.id(), deleted.id()).block();
        FolderChanges changes = store().changesSince(user, folder.id(), before).block();

        assertThat(changes.vanished()).containsExactly(deleted.id());
        assertThat(changes.changed()).isEmpty();
        assertThat(changes.highestModSeq()).isGreaterThan(before);
        assertThat(store().item(user, folder.id(), deleted.id()).blockOptional()).isEmpty();
        assertThat(store().changesSince(user, folder.id(), 0).block().changed())
                .extracting(ItemVersion::id).containsExactly(kept.id());
    }

    @Test
    default void deletingAGoneItemCompletes() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        Item item = store().add(user, folder.id(), email("once")).block();
        store().delete(user, folder.id(), item.id()).block();

        StepVerifier.create(store().delete(user, folder.id(), item.id())).verifyComplete();
        StepVerifier.create(store().delete(user, folder.id(), "never-there")).verifyComplete();
    }

    @Test
    default void deletingInAnUnknownFolderIsNotFound() {
        assertFails(store().delete(newUser(), "no-such-folder", "x"), Kind.NOT_FOUND);
    }

    @Test
    default void aMovedItemVanishesFromTheSourceAndIsAddedToTheTarget() {
        String user = newUser();
        Folder source = mailFolder(user, Folder.ROOT, "Source");
        Folder target = mailFolder(user, Folder.ROOT, "Target");
        Item item = store().add(user, source.id(), email("moving")).block();
        long sourceBefore = store().changesSince(user, source.id(), 0).block().highestModSeq();
        long targetBefore = store().changesSince(user, target.id(), 0).block().highestModSeq();

        Item moved = store().move(user, source.id(), item.id(), target.id()).block();

        assertThat(moved.folderId()).isEqualTo(target.id());
        assertThat(moved.content()).isEqualTo(item.content());
        FolderChanges sourceChanges = store().changesSince(user, source.id(), sourceBefore).block();
        assertThat(sourceChanges.vanished()).containsExactly(item.id());
        assertThat(sourceChanges.highestModSeq()).isGreaterThan(sourceBefore);
        FolderChanges targetChanges = store().changesSince(user, target.id(), targetBefore).block();
        assertThat(targetChanges.changed()).extracting(ItemVersion::id).containsExactly(moved.id());
        assertThat(store().item(user, target.id(), moved.id()).block()).isEqualTo(moved);
        assertThat(store().item(user, source.id(), item.id()).blockOptional()).isEmpty();
    }

    @Test
    default void movingToAFolderOfAnotherClassIsInvalid() {
        String user = newUser();
        Folder mail = mailFolder(user, Folder.ROOT, "Mail");
        Folder contacts = store().createFolder(user, Folder.ROOT, "People", FolderType.USER_CONTACTS).block();
        Item item = store().add(user, mail.id(), email("stays")).block();

        assertFails(store().move(user, mail.id(), item.id(), contacts.id()), Kind.INVALID);
        assertThat(store().item(user, mail.id(), item.id()).block()).isEqualTo(item);
    }

    @Test
    default void movingAGoneItemIsNotFound() {
        String user = newUser();
        Folder source = mailFolder(user, Folder.ROOT, "Source");
        Folder target = mailFolder(user, Folder.ROOT, "Target");

        assertFails(store().move(user, source.id(), "never-there", target.id()), Kind.NOT_FOUND);
    }

    @Test
    default void addingToAFolderOfAnotherClassIsInvalid() {
        String user = newUser();
        Folder contacts = store().createFolder(user, Folder.ROOT, "People", FolderType.USER_CONTACTS).block();

        assertFails(store().add(user, contacts.id(), email("wrong place")), Kind.INVALID);
        assertFails(store().add(user, inbox(user).id(), contact("Wrong Place")), Kind.INVALID);
    }

    @Test
    default void itemsLeaveOutIdsThatAreNotThere() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        Item one = store().add(user, folder.id(), email("one")).block();
        Item two = store().add(user, folder.id(), email("two")).block();
        Item gone = store().add(user, folder.id(), email("gone")).block();
        store().delete(user, folder.id(), gone.id()).block();

        List<Item> items = store().items(user, folder.id(), List.of(two.id(), "never-there", gone.id(), one.id()))
                .collectList().block();

        assertThat(items).containsExactlyInAnyOrder(one, two);
    }

    @Test
    default void anItemThatIsNotThereIsEmpty() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");

        StepVerifier.create(store().item(user, folder.id(), "never-there")).verifyComplete();
    }

    @Test
    default void changingAnEmailKeepsItsMimeAndTakesTheFlags() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        ItemContent.Email original = email("original");
        Item item = store().add(user, folder.id(), original).block();
        EmailFlags flags = new EmailFlags(true, 2, 1, null, List.of("Work"));

        store().change(user, folder.id(), item.id(), new ItemContent.Email(ascii("tampered"), flags)).block();

        ItemContent.Email stored = (ItemContent.Email) store().item(user, folder.id(), item.id()).block().content();
        assertThat(stored.mime()).isEqualTo(original.mime());
        assertThat(stored.flags()).isEqualTo(flags);
    }

    @Test
    default void changingAContactReplacesItsContent() {
        String user = newUser();
        Folder folder = store().createFolder(user, Folder.ROOT, "People", FolderType.USER_CONTACTS).block();
        Item item = store().add(user, folder.id(), contact("Ada Lovelace")).block();

        Item changed = store().change(user, folder.id(), item.id(), contact("Ada King")).block();

        assertThat(changed.content()).isEqualTo(contact("Ada King"));
        assertThat(store().item(user, folder.id(), item.id()).block().content()).isEqualTo(contact("Ada King"));
    }

    @Test
    default void changingAGoneItemIsNotFound() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");

        assertFails(store().change(user, folder.id(), "never-there", email("x")), Kind.NOT_FOUND);
    }

    @Test
    default void changesSinceOfAnUnknownFolderIsNotFound() {
        assertFails(store().changesSince(newUser(), "no-such-folder", 0), Kind.NOT_FOUND);
    }

    @Test
    default void emptyFolderRemovesEveryItemAndReportsThemVanished() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        Item one = store().add(user, folder.id(), email("one")).block();
        Item two = store().add(user, folder.id(), email("two")).block();
        Folder child = mailFolder(user, folder.id(), "Child");
        long before = store().changesSince(user, folder.id(), 0).block().highestModSeq();

        store().emptyFolder(user, folder.id(), false).block();

        FolderChanges changes = store().changesSince(user, folder.id(), before).block();
        assertThat(changes.vanished()).containsExactlyInAnyOrder(one.id(), two.id());
        assertThat(store().changesSince(user, folder.id(), 0).block().changed()).isEmpty();
        assertThat(store().folders(user).collectList().block()).contains(child);
    }

    @Test
    default void emptyFolderDeletesSubfoldersWhenAsked() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Box");
        Folder child = mailFolder(user, folder.id(), "Child");
        Folder grandchild = mailFolder(user, child.id(), "Grandchild");

        store().emptyFolder(user, folder.id(), true).block();

        assertThat(store().folders(user).map(Folder::id).collectList().block())
                .contains(folder.id()).doesNotContain(child.id(), grandchild.id());
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    default Folder mailFolder(String user, String parentId, String name) {
        return store().createFolder(user, parentId, name, FolderType.USER_MAIL).block();
    }

    default Folder inbox(String user) {
        return store().folders(user).filter(folder -> folder.type() == FolderType.INBOX).blockFirst();
    }

    /** A small RFC 5322 message. */
    static ItemContent.Email email(String subject) {
        return new ItemContent.Email(ascii("From: Contract Test <test@example.com>\r\n"
                + "To: user@example.com\r\n"
                + "Subject: " + subject + "\r\n"
                + "Date: Mon, 2 Jun 2025 10:00:00 +0000\r\n"
                + "Message-ID: <" + UUID.randomUUID() + "@example.com>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=US-ASCII\r\n"
                + "\r\n"
                + "Body of " + subject + ".\r\n"), EmailFlags.UNREAD);
    }

    static ItemContent.Pim contact(String name) {
        return new ItemContent.Pim(ItemClass.CONTACTS, WbxmlElement.el("AirSync:ApplicationData")
                .child("Contacts:FileAs", name)
                .child("Contacts:Email1Address", "someone@example.com")
                .build());
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static void assertFails(Mono<?> operation, Kind kind) {
        StepVerifier.create(operation)
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOfSatisfying(MailStoreException.class, e -> assertThat(e.kind()).isEqualTo(kind)))
                .verify();
    }
}
