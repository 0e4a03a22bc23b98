package dev.easgate.backends.dav;

import static dev.easgate.backends.mail.MailStoreContract.assertFails;
import static dev.easgate.backends.mail.MailStoreContract.contact;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Collections another user shares, on a real Radicale 3 whose rights file grants one user read or read-write on
 * another's collection: with {@code otherPrincipals} the DAV root lists the owner's principal to the grantee, its
 * readable collections become folders named after the owner, and a collection without write privilege refuses
 * every write before it is sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DavSharedCollectionsTest {
    private static final Map<String, String> PASSWORDS = Map.of("alice", "alice-pw", "bob", "bob-pw",
            "carol", "carol-pw");
    private RadicaleProcess radicale;
    private DavStore store;

    @BeforeAll
    void start() throws Exception {
        radicale = RadicaleProcess.start("alice", "alice-pw", "bob", "bob-pw", "carol", "carol-pw");
        for (String user : PASSWORDS.keySet()) {
            radicale.createDefaults(user);
        }
        store = store(true);
    }

    @AfterAll
    void stop() {
        if (radicale != null) {
            radicale.close();
        }
    }

    private DavStore store(boolean otherPrincipals) {
        DavCredentials perUser = user -> Optional.ofNullable(PASSWORDS.get(user))
                .map(password -> new DavCredentials.Login(user, user, password));
        return new DavStore(new DavClient(Duration.ofSeconds(10)), perUser, radicale.url(), Clock.systemUTC(), 100,
                Duration.ofMinutes(30), otherPrincipals);
    }

    @Test
    void aReadOnlySharedAddressBookAppearsAndRefusesWrites() throws Exception {
        Folder aliceContacts = store.folders("alice").filter(f -> f.type() == FolderType.CONTACTS).blockFirst();
        Item card = store.add("alice", aliceContacts.id(), contact("Shared Person")).block();
        assertThat(names(store.folders("bob").collectList().block())).noneMatch(n -> n.startsWith("alice/"));

        radicale.share("alice", "contacts", "bob", "r");

        List<Folder> bobs = store.hierarchy("bob").collectList().block();
        Folder shared = bobs.stream().filter(f -> f.name().equals("alice/Contacts")).findFirst()
                .orElseThrow(() -> new AssertionError("not listed: " + bobs));
        assertThat(shared.type()).isEqualTo(FolderType.USER_CONTACTS);
        // bob's own defaults keep their types
        assertThat(bobs.stream().filter(f -> f.type() == FolderType.CONTACTS)).hasSize(1);
        // the collections bob has no right on stay hidden
        assertThat(names(bobs)).doesNotContain("alice/Calendar", "alice/Tasks");

        List<String> ids = store.changesSince("bob", shared.id(), 0).block().changed().stream()
                .map(v -> v.id()).toList();
        assertThat(ids).hasSize(1);
        Item seen = store.item("bob", shared.id(), ids.get(0)).block();
        assertThat(fileAs(seen)).isEqualTo("Shared Person");

        assertFails(store.change("bob", shared.id(), seen.id(), contact("Renamed")), Kind.NOT_ALLOWED);
        assertFails(store.delete("bob", shared.id(), seen.id()), Kind.NOT_ALLOWED);
        assertFails(store.add("bob", shared.id(), contact("Bob's")), Kind.NOT_ALLOWED);
        // alice's card is as it was
        assertThat(fileAs(store.item("alice", aliceContacts.id(), card.id()).block())).isEqualTo("Shared Person");
    }

    @Test
    void aReadWriteSharedCalendarTakesTheGranteesWrites() throws Exception {
        radicale.request("MKCOL", "carol/team/", "application/xml", """
                <?xml version="1.0" encoding="utf-8"?>
                <d:mkcol xmlns:d="DAV:" xmlns:a="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>
                <d:resourcetype><d:collection/><a:addressbook/></d:resourcetype>
                <d:displayname>Team</d:displayname></d:prop></d:set></d:mkcol>""");
        radicale.share("carol", "team", "bob", "rw");
        Folder team = store.hierarchy("bob").filter(f -> f.name().equals("carol/Team")).blockFirst();
        assertThat(team).isNotNull();
        Item added = store.add("bob", team.id(), contact("Added By Bob")).block();
        Folder carols = store.folders("carol").filter(f -> f.name().equals("Team")).blockFirst();
        assertThat(store.changesSince("carol", carols.id(), 0).block().changed()).hasSize(1);
        store.delete("bob", team.id(), added.id()).block();
        assertThat(store.changesSince("carol", carols.id(), 0).block().changed()).isEmpty();
    }

    @Test
    void withoutOtherPrincipalsOnlyTheOwnHomeIsListed() throws Exception {
        radicale.share("alice", "tasks", "carol", "r");
        assertThat(names(store.folders("carol").collectList().block())).contains("alice/Tasks");
        assertThat(names(store(false).folders("carol").collectList().block())).noneMatch(n -> n.contains("/"));
    }

    private static String fileAs(Item item) {
        return ((ItemContent.Pim) item.content()).applicationData().childText("Contacts:FileAs");
    }

    private static List<String> names(List<Folder> folders) {
        return folders.stream().map(Folder::name).toList();
    }
}
