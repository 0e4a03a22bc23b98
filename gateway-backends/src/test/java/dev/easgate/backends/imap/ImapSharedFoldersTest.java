package dev.easgate.backends.imap;

import static dev.easgate.backends.mail.MailStoreContract.assertFails;
import static dev.easgate.backends.mail.MailStoreContract.email;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
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

/**
 * Folders other users share, against a real Dovecot with the acl plugins, an other users' namespace
 * ({@code shared/<owner>/}) and a public one: listed as user-created mail folders named after their owner, shared
 * mid-session included, their RFC 4314 rights deciding which writes pass, polled by the watcher like the user's own.
 */
class ImapSharedFoldersTest {
    private static DovecotProcess dovecot;
    private static Scheduler scheduler;
    private static ImapConnections connections;
    private static ImapMailStore store;

    @BeforeAll
    static void startDovecot() {
        dovecot = DovecotProcess.start(DovecotProcess.Options.ACL);
        scheduler = Schedulers.newBoundedElastic(8, 10_000, "easgate-blocking-test");
        connections = new ImapConnections(MailServerUrl.parse(dovecot.imapUrl(), "imap"),
                user -> Optional.of(new ImapCredentials.Login(user, DovecotProcess.PASSWORD)), 2, 200,
                Duration.ofMinutes(5), Duration.ofSeconds(10));
        store = new ImapMailStore(connections, scheduler);
    }

    @AfterAll
    static void stopDovecot() {
        if (connections != null) {
            connections.close();
        }
        if (scheduler != null) {
            scheduler.dispose();
        }
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Test
    void aFolderSharedWhileTheSessionIsOpenShowsInTheNextHierarchy() {
        String owner = dovecot.nextUser();
        String user = dovecot.nextUser();
        assertThat(names(store.hierarchy(user).collectList().block())).doesNotContain(owner + "/Projects");
        long logins = connections.logins();

        dovecot.share(owner, "Projects", user, "lr");

        // Dovecot keeps a session's view of the other users' namespace: the pooled session does not see the share
        assertThat(names(store.folders(user).collectList().block())).doesNotContain(owner + "/Projects");
        List<Folder> hierarchy = store.hierarchy(user).collectList().block();
        Folder shared = hierarchy.stream().filter(f -> f.name().equals(owner + "/Projects")).findFirst()
                .orElseThrow(() -> new AssertionError("not listed: " + hierarchy));
        assertThat(shared.type()).isEqualTo(FolderType.USER_MAIL);
        assertThat(shared.parentId()).isEqualTo(Folder.ROOT);
        assertThat(connections.logins()).isEqualTo(logins + 1); // one new session for the hierarchy
        // the sessions after it see the folder too (a Sync's own listing finds the collection)
        assertThat(store.folders(user).collectList().block()).contains(shared);
        // the user's own special folders keep their types; the owner's Inbox is not the user's
        assertThat(hierarchy.stream().filter(f -> f.type() == FolderType.INBOX)).hasSize(1);
    }

    @Test
    void readOnlyFolderSyncsAndRefusesEveryWrite() {
        String owner = dovecot.nextUser();
        String user = dovecot.nextUser();
        Folder projects = ownerFolder(owner, "Projects");
        Item message = store.add(owner, projects.id(), email("plan")).block();
        dovecot.share(owner, "Projects", user, "lr");

        Folder shared = sharedFolder(user, owner + "/Projects");
        List<String> ids = store.changesSince(user, shared.id(), 0).block().changed().stream()
                .map(v -> v.id()).toList();
        assertThat(ids).hasSize(1);
        Item seen = store.item(user, shared.id(), ids.get(0)).block();
        assertThat(seen).isNotNull();
        ItemContent.Email content = (ItemContent.Email) seen.content();
        assertThat(new String(content.mime(), StandardCharsets.UTF_8)).contains("plan");

        assertFails(store.change(user, shared.id(), seen.id(), content.withFlags(content.flags().withRead(true))),
                Kind.NOT_ALLOWED);
        assertFails(store.delete(user, shared.id(), seen.id()), Kind.NOT_ALLOWED);
        assertFails(store.add(user, shared.id(), email("mine")), Kind.NOT_ALLOWED);
        assertFails(store.deleteFolder(user, shared.id()), Kind.NOT_ALLOWED);
        assertFails(store.updateFolder(user, shared.id(), Folder.ROOT, "Renamed"), Kind.NOT_ALLOWED);
        // nothing changed for the owner
        Item after = store.item(owner, projects.id(), message.id()).block();
        assertThat(((ItemContent.Email) after.content()).flags().read()).isFalse();
        assertThat(store.changesSince(user, shared.id(), 0).block().changed()).hasSize(1);
    }

    @Test
    void seenRightLetsTheUserMarkReadButNotFlag() {
        String owner = dovecot.nextUser();
        String user = dovecot.nextUser();
        Folder projects = ownerFolder(owner, "Team");
        store.add(owner, projects.id(), email("minutes")).block();
        dovecot.share(owner, "Team", user, "lrs");

        Folder shared = sharedFolder(user, owner + "/Team");
        String id = store.changesSince(user, shared.id(), 0).block().changed().get(0).id();
        ItemContent.Email content = (ItemContent.Email) store.item(user, shared.id(), id).block().content();
        Item read = store.change(user, shared.id(), id, content.withFlags(content.flags().withRead(true))).block();
        assertThat(((ItemContent.Email) read.content()).flags().read()).isTrue();
        ItemContent.Email now = (ItemContent.Email) read.content();
        assertFails(store.change(user, shared.id(), id, now.withFlags(now.flags().withFlagStatus(2))),
                Kind.NOT_ALLOWED);
    }

    @Test
    void fullRightsLetTheUserAddAndDelete() {
        String owner = dovecot.nextUser();
        String user = dovecot.nextUser();
        ownerFolder(owner, "Desk");
        dovecot.share(owner, "Desk", user, "lrswite");

        Folder shared = sharedFolder(user, owner + "/Desk");
        Item added = store.add(user, shared.id(), email("from the delegate")).block();
        Item flagged = store.change(user, shared.id(), added.id(), ((ItemContent.Email) added.content())
                .withFlags(((ItemContent.Email) added.content()).flags().withFlagStatus(2))).block();
        assertThat(((ItemContent.Email) flagged.content()).flags().flagStatus()).isEqualTo(2);
        store.delete(user, shared.id(), added.id()).block();
        assertThat(store.changesSince(user, shared.id(), 0).block().changed()).isEmpty();
    }

    @Test
    void aFolderTheUserMayOnlyLookUpIsNotListed() {
        String owner = dovecot.nextUser();
        String user = dovecot.nextUser();
        dovecot.share(owner, "Secret", user, "l");
        dovecot.share(owner, "Open", user, "lr");
        assertThat(names(store.hierarchy(user).collectList().block())).contains(owner + "/Open")
                .doesNotContain(owner + "/Secret");
    }

    @Test
    void publicFoldersAreListedWithTheirNamespace() {
        String user = dovecot.nextUser();
        dovecot.createPublic("Announcements" + user, "user=" + user, "lr");
        Folder announcements = sharedFolder(user, "Public/Announcements" + user);
        assertThat(announcements.type()).isEqualTo(FolderType.USER_MAIL);
        assertFails(store.add(user, announcements.id(), email("no")), Kind.NOT_ALLOWED);
    }

    @Test
    void theWatcherPollSeesADeliveryIntoASharedFolder() {
        String owner = dovecot.nextUser();
        String user = dovecot.nextUser();
        Folder inbox = ownerFolder(owner, "Orders");
        dovecot.share(owner, "Orders", user, "lr");
        Folder shared = sharedFolder(user, owner + "/Orders");

        ImapMailStore.Polled first = store.pollModSeqs(user, List.of(shared.id()), 10).block();
        assertThat(first.asked()).isEqualTo(1);
        assertThat(first.moved()).isEmpty();
        store.add(owner, inbox.id(), email("new order")).block();
        ImapMailStore.Polled second = store.pollModSeqs(user, List.of(shared.id()), 10).block();
        assertThat(second.moved()).containsExactly(shared.id());
        assertThat(second.hierarchy()).isFalse();
    }

    private static Folder ownerFolder(String owner, String name) {
        return store.createFolder(owner, Folder.ROOT, name, FolderType.USER_MAIL).block();
    }

    private static Folder sharedFolder(String user, String name) {
        List<Folder> hierarchy = store.hierarchy(user).collectList().block();
        return hierarchy.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not listed: " + hierarchy));
    }

    private static List<String> names(List<Folder> folders) {
        return folders.stream().map(Folder::name).toList();
    }
}
