package dev.easgate.backends.imap;

import static dev.easgate.backends.mail.MailStoreContract.assertFails;
import static dev.easgate.backends.mail.MailStoreContract.email;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.backends.mail.MailStoreContract;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The mail store contract against a real Dovecot, plus what only IMAP has (UIDVALIDITY, VANISHED, flags). */
class ImapMailStoreTest implements MailStoreContract {
    private static DovecotProcess dovecot;
    private static Scheduler scheduler;
    private static ImapConnections connections;
    private static ImapMailStore store;
    /** A second node over the same Dovecot: connections and store of its own. */
    private static ImapConnections otherConnections;
    private static ImapMailStore other;

    @BeforeAll
    static void startDovecot() {
        dovecot = DovecotProcess.start();
        scheduler = Schedulers.newBoundedElastic(16, 10_000, "easgate-blocking-test");
        connections = new ImapConnections(MailServerUrl.parse(dovecot.imapUrl(), "imap"),
                user -> Optional.of(new ImapCredentials.Login(user, DovecotProcess.PASSWORD)), 2, 200,
                Duration.ofMinutes(5), Duration.ofSeconds(10));
        store = new ImapMailStore(connections, scheduler);
        otherConnections = new ImapConnections(MailServerUrl.parse(dovecot.imapUrl(), "imap"),
                user -> Optional.of(new ImapCredentials.Login(user, DovecotProcess.PASSWORD)), 2, 200,
                Duration.ofMinutes(5), Duration.ofSeconds(10));
        other = new ImapMailStore(otherConnections, scheduler);
    }

    @AfterAll
    static void stopDovecot() {
        if (connections != null) {
            connections.close();
        }
        if (otherConnections != null) {
            otherConnections.close();
        }
        if (scheduler != null) {
            scheduler.dispose();
        }
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Override
    public MailStore store() {
        return store;
    }

    @Override
    public MailStore restarted() {
        return other;
    }

    /** Every test works in a Dovecot user of its own. */
    @Override
    public String newUser() {
        return dovecot.nextUser();
    }

    // ---- contract tests that need PIM folders: an IMAP store holds mail only ------------------------------------

    /** Not applicable: an IMAP store has no contacts folders (the composite store routes PIM folders to DAV). */
    @Override
    @Test
    public void movingToAFolderOfAnotherClassIsInvalid() {
        String user = newUser();
        assertFails(store.createFolder(user, Folder.ROOT, "People", FolderType.USER_CONTACTS), Kind.INVALID);
    }

    /** Not applicable as written (needs a contacts folder); what remains: a PIM item in a mail folder is INVALID. */
    @Override
    @Test
    public void addingToAFolderOfAnotherClassIsInvalid() {
        String user = newUser();
        assertFails(store.add(user, inbox(user).id(), MailStoreContract.contact("Wrong Place")), Kind.INVALID);
    }

    /** Not applicable: no contacts in IMAP. */
    @Override
    @Test
    public void changingAContactReplacesItsContent() {
        String user = newUser();
        Item item = store.add(user, inbox(user).id(), email("mail")).block();
        assertFails(store.change(user, inbox(user).id(), item.id(), MailStoreContract.contact("Ada")), Kind.INVALID);
    }

    // ---- IMAP specifics -------------------------------------------------------------------------------------------

    @Test
    void standardFoldersComeWithTheirTypesFromSpecialUse() {
        String user = newUser();
        List<Folder> folders = store.folders(user).collectList().block();

        assertThat(folders.get(0).type()).isEqualTo(FolderType.INBOX);
        assertThat(folders).extracting(Folder::type).contains(FolderType.DRAFTS, FolderType.SENT_ITEMS,
                FolderType.DELETED_ITEMS);
        for (Folder folder : folders) {
            assertFails(store.deleteFolder(user, folder.id()), Kind.NOT_ALLOWED);
        }
    }

    @Test
    void aDeliveredMailIsListedWithItsBody() {
        String user = newUser();
        Folder inbox = inbox(user);
        long before = store.changesSince(user, inbox.id(), 0).block().highestModSeq();
        byte[] mime = ("From: a@example.test\r\nTo: " + user + "@example.test\r\nSubject: over LMTP\r\n\r\n"
                + "delivered body\r\n").getBytes(StandardCharsets.US_ASCII);

        dovecot.deliver(user, mime);

        FolderChanges changes = store.changesSince(user, inbox.id(), before).block();
        assertThat(changes.changed()).hasSize(1);
        Item item = store.item(user, inbox.id(), changes.changed().get(0).id()).block();
        ItemContent.Email email = (ItemContent.Email) item.content();
        assertThat(new String(email.mime(), StandardCharsets.US_ASCII)).contains("delivered body");
        assertThat(email.flags().read()).isFalse();
    }

    @Test
    void aParkedCheckWithNothingNewReusesTheLastAnswerOnAnOpenConnection() {
        String user = newUser();
        Folder inbox = inbox(user);
        store.add(user, inbox.id(), email("known")).block();
        long watermark = store.changesSince(user, inbox.id(), 0).block().highestModSeq();
        long keptBefore = store.keptAnswers();
        FolderChanges first = store.parkedChangesSince(user, inbox.id(), watermark).block();
        assertThat(store.keptAnswers()).as("a device caught up by the Sync parks on a kept answer")
                .isEqualTo(keptBefore + 1);
        assertThat(first).as("the same as a full look").isEqualTo(store.changesSince(user, inbox.id(), watermark)
                .block());
        long logins = connections.logins();
        long kept = store.keptAnswers();
        long looks = store.fingerprintLooks();

        FolderChanges again = store.parkedChangesSince(user, inbox.id(), watermark).block();

        assertThat(again).isEqualTo(first);
        assertThat(store.keptAnswers()).isEqualTo(kept + 1);
        assertThat(store.fingerprintLooks()).as("one STATUS for the fingerprint").isEqualTo(looks + 1);
        assertThat(connections.logins()).isEqualTo(logins);

        dovecot.deliver(user, ("From: a@example.test\r\nSubject: new\r\n\r\nnew\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        FolderChanges moved = store.parkedChangesSince(user, inbox.id(), watermark).block();
        assertThat(moved.changed()).as("another client's delivery moves the fingerprint").hasSize(1);
        assertThat(store.keptAnswers()).isEqualTo(kept + 1);

        store.parkedChangesSince(user, inbox.id(), watermark).block();
        assertThat(store.keptAnswers()).isEqualTo(kept + 2);
        store.add(user, inbox.id(), email("own write")).block();
        FolderChanges afterWrite = store.parkedChangesSince(user, inbox.id(), watermark).block();
        assertThat(afterWrite.changed()).as("a write through the store is never hidden").hasSize(2);
        assertThat(store.keptAnswers()).isEqualTo(kept + 2);
    }

    @Test
    void aParkedCheckWithoutAnOpenConnectionOrObservationLooksInFull() {
        ImapMailStore unwatched = new ImapMailStore(connections, scheduler); // no watcher, so no observations
        String user = newUser();
        Folder inbox = inbox(user);
        long watermark = unwatched.changesSince(user, inbox.id(), 0).block().highestModSeq();
        unwatched.parkedChangesSince(user, inbox.id(), watermark).block();
        connections.closeIdle(user);
        long logins = connections.logins();
        long kept = unwatched.keptAnswers();

        unwatched.parkedChangesSince(user, inbox.id(), watermark).block();

        assertThat(unwatched.keptAnswers()).isEqualTo(kept);
        assertThat(connections.logins()).isEqualTo(logins + 1);
    }

    @Test
    void aParkedCheckAnswersFromTheWatchersObservationWithNoCommandAtAll() {
        String user = newUser();
        Folder inbox = inbox(user);
        long watermark = store.changesSince(user, inbox.id(), 0).block().highestModSeq();
        FolderChanges first = store.parkedChangesSince(user, inbox.id(), watermark).block();
        assertThat(store.pollModSeqs(user, List.of(inbox.id()), 10).block().moved()).isEmpty();
        connections.closeIdle(user);
        long logins = connections.logins();
        long looks = store.fingerprintLooks();
        long kept = store.keptAnswers();

        assertThat(store.parkedChangesSince(user, inbox.id(), watermark).block()).isEqualTo(first);
        assertThat(store.keptAnswers()).isEqualTo(kept + 1);
        assertThat(store.fingerprintLooks()).isEqualTo(looks);
        assertThat(connections.logins()).isEqualTo(logins);

        // a change after the observation: the parked check does not see it, the watcher's next poll does
        dovecot.deliver(user, ("From: a@example.test\r\nSubject: later\r\n\r\nlater\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(store.parkedChangesSince(user, inbox.id(), watermark).block()).isEqualTo(first);
        assertThat(store.pollModSeqs(user, List.of(inbox.id()), 10).block().moved()).containsExactly(inbox.id());
        assertThat(store.parkedChangesSince(user, inbox.id(), watermark).block().changed()).hasSize(1);
    }

    @Test
    void aParkedCheckWithNeitherMakesTheKeptAnswerTheWatchersBaseline() {
        ImapMailStore watched = new ImapMailStore(connections, scheduler);
        watched.keepWatermarks();
        String user = newUser();
        Folder inbox = inbox(user);
        long watermark = watched.changesSince(user, inbox.id(), 0).block().highestModSeq();
        watched.retainWatermarks(u -> false); // unparked since: the watcher forgot the user
        dovecot.deliver(user, ("From: a@example.test\r\nSubject: away\r\n\r\naway\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        connections.closeIdle(user);
        long logins = connections.logins();

        FolderChanges parked = watched.parkedChangesSince(user, inbox.id(), watermark).block();

        assertThat(parked.changed()).as("as of the kept answer").isEmpty();
        assertThat(watched.keptAnswers()).isEqualTo(1);
        assertThat(watched.fingerprintLooks()).isZero();
        assertThat(connections.logins()).isEqualTo(logins);
        // the mail delivered while the user was away: the watcher's first poll reports it (the parked request wakes)
        assertThat(watched.pollModSeqs(user, List.of(inbox.id()), 10).block().moved()).containsExactly(inbox.id());
    }

    @Test
    void flagChangesAndExpungesComeThroughCondstore() {
        String user = newUser();
        Folder box = mailFolder(user, Folder.ROOT, "Tracked");
        Item one = store.add(user, box.id(), email("one")).block();
        Item two = store.add(user, box.id(), email("two")).block();
        Item three = store.add(user, box.id(), email("three")).block();
        long before = store.changesSince(user, box.id(), 0).block().highestModSeq();

        store.change(user, box.id(), one.id(), email("one").withFlags(new EmailFlags(true, 2, 3, null,
                List.of()))).block();
        store.delete(user, box.id(), two.id()).block();
        FolderChanges changes = store.changesSince(user, box.id(), before).block();

        assertThat(changes.resetRequired()).isFalse();
        assertThat(changes.changed()).extracting(ItemVersion::id).containsExactly(one.id());
        assertThat(changes.vanished()).containsExactly(two.id());
        EmailFlags flags = ((ItemContent.Email) store.item(user, box.id(), one.id()).block().content()).flags();
        assertThat(flags).isEqualTo(new EmailFlags(true, 2, 3, null, List.of()));
        assertThat(store.item(user, box.id(), three.id()).block()).isEqualTo(three);
    }

    @Test
    void aUidValidityChangeAsksForAResetOfTheWholeFolder() {
        String user = newUser();
        Folder box = mailFolder(user, Folder.ROOT, "Recreated");
        Item old = store.add(user, box.id(), email("old")).block();
        long deviceState = store.changesSince(user, box.id(), 0).block().highestModSeq();

        // another client deletes and recreates the mailbox under the same name: new UIDVALIDITY (and MAILBOXID)
        store.deleteFolder(user, box.id()).block();
        Folder again = mailFolder(user, Folder.ROOT, "Recreated");
        Item fresh = store.add(user, again.id(), email("fresh")).block();
        store.add(user, again.id(), email("fresher")).block();
        store.add(user, again.id(), email("freshest")).block();

        if (again.id().equals(box.id())) {
            // without OBJECTID the folder id is the name's: the stale sequence is caught by its UIDVALIDITY bits
            FolderChanges changes = store.changesSince(user, again.id(), deviceState).block();
            assertThat(changes.resetRequired()).isTrue();
            assertThat(changes.changed()).extracting(ItemVersion::id).contains(fresh.id()).doesNotContain(old.id());
        } else {
            assertFails(store.changesSince(user, box.id(), deviceState), Kind.NOT_FOUND);
        }
        assertThat(fresh.id()).isNotEqualTo(old.id());
    }

    @Test
    void aSequenceOfAnotherUidValidityIsAReset() {
        String user = newUser();
        Folder box = mailFolder(user, Folder.ROOT, "Epochs");
        Item item = store.add(user, box.id(), email("x")).block();
        long otherEpoch = item.modSeq() ^ (1L << ImapIds.MODSEQ_BITS);

        FolderChanges changes = store.changesSince(user, box.id(), otherEpoch).block();

        assertThat(changes.resetRequired()).isTrue();
        assertThat(changes.changed()).extracting(ItemVersion::id).containsExactly(item.id());
    }

    @Test
    void foldersKeepTheirIdsAcrossRenames() {
        String user = newUser();
        Folder folder = mailFolder(user, Folder.ROOT, "Before");
        Item item = store.add(user, folder.id(), email("kept")).block();

        Folder renamed = store.updateFolder(user, folder.id(), Folder.ROOT, "After").block();

        assertThat(renamed.id()).isEqualTo(folder.id());
        assertThat(store.item(user, folder.id(), item.id()).block()).isEqualTo(item);
    }

    @Test
    void anAttachmentIsFetchedAsItsOwnMimePartWithoutTheWholeMessage() throws Exception {
        String user = newUser();
        String folderId = inbox(user).id();
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(7).nextBytes(big);
        String boundary = "b-" + java.util.UUID.randomUUID();
        String mime = "From: a@example.test\r\nTo: b@example.test\r\nSubject: big attachment\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n"
                + "--" + boundary + "\r\nContent-Type: multipart/alternative; boundary=\"alt-" + boundary + "\"\r\n\r\n"
                + "--alt-" + boundary + "\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
                + "--alt-" + boundary + "\r\nContent-Type: text/html\r\n\r\n<p>hello</p>\r\n"
                + "--alt-" + boundary + "--\r\n"
                + "--" + boundary + "\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\n"
                + "Content-Disposition: attachment; filename=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(big) + "\r\n"
                + "--" + boundary + "--\r\n";
        dovecot.deliver(user, mime.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String itemId = store.changesSince(user, folderId, 0).block().changed().get(0).id();

        assertThat(store.attachmentSource()).containsSame(store);
        long messagesBefore = store.messageFetches();
        long partsBefore = store.partFetches();
        dev.easgate.backends.mail.AttachmentSource.Attachment attachment = store.attachment(user, folderId, itemId, 2)
                .block();
        assertThat(attachment).isNotNull();
        assertThat(attachment.contentType()).isEqualTo("application/octet-stream");
        assertThat(attachment.size()).as("a large base64 part is streamed: its decoded size is not known yet")
                .isEqualTo(-1);
        long slicesBefore = store.attachmentSlices();
        // nothing is read from the server until the content is subscribed, and then a slice at a time
        assertThat(store.attachmentSlices()).isEqualTo(slicesBefore);
        java.util.List<byte[]> chunks = attachment.content().collectList().block();
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.length).isLessThanOrEqualTo(64 * 1024));
        assertThat(attachment.bytes().block()).isEqualTo(big);
        long encoded = java.util.Base64.getMimeEncoder().encodeToString(big).length();
        long slicesPerRead = (encoded + ImapMailStore.ATTACHMENT_SLICE - 1) / ImapMailStore.ATTACHMENT_SLICE;
        assertThat(store.attachmentSlices() - slicesBefore).as("two reads of the part, slice by slice")
                .isBetween(2 * slicesPerRead, 2 * slicesPerRead + 2);
        // taking only the first chunk reads only the first slice
        long beforeFirst = store.attachmentSlices();
        assertThat(attachment.content().take(1).single().block()).isEqualTo(java.util.Arrays.copyOf(big, 64 * 1024));
        assertThat(store.attachmentSlices() - beforeFirst).isEqualTo(1);
        // leaves 0 and 1 are the bodies inside the alternative (section 1.1, 1.2): same numbering as the parser
        dev.easgate.backends.mail.AttachmentSource.Attachment small = store.attachment(user, folderId, itemId, 0)
                .block();
        assertThat(small.size()).isEqualTo(5);
        assertThat(new String(small.bytes().block(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(store.attachment(user, folderId, itemId, 3).blockOptional()).isEmpty();
        assertThat(store.attachment(user, folderId, folderId + ":1:999", 0).blockOptional()).isEmpty();
        assertThat(store.messageFetches()).as("the whole message is never fetched").isEqualTo(messagesBefore);
        assertThat(store.partFetches() - partsBefore).isEqualTo(2);
    }
}
