package dev.easgate.backends.dav;

import static dev.easgate.backends.mail.MailStoreContract.contact;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Mono;

/**
 * The store logging in as each user on a Radicale with per-user passwords, rights {@code owner_only} and no service
 * account: each user sees their own collections only, a user's state is bounded and evicted without leaking into
 * another's, and a refused login is {@link MailStoreException.Kind#CREDENTIALS_REFUSED}, never an empty list.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DavStorePerUserTest {
    private RadicaleProcess radicale;
    /** The passwords the store logs in with, as the sessions of the users' devices would give them. */
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final AtomicLong nanos = new AtomicLong();

    @BeforeAll
    void start() throws Exception {
        radicale = RadicaleProcess.startPerUser("alice", "alice-pw", "bob", "bob-pw", "carol", "carol-pw");
    }

    @AfterAll
    void stop() {
        if (radicale != null) {
            radicale.close();
        }
    }

    private DavStore store(int maxUsers) {
        DavCredentials perUser = user -> Optional.ofNullable(passwords.get(user))
                .map(password -> new DavCredentials.Login(user, user, password));
        Ticker ticker = nanos::get;
        return new DavStore(new DavClient(Duration.ofSeconds(10)), perUser, radicale.url(), Clock.systemUTC(),
                maxUsers, Duration.ofMinutes(30), ticker);
    }

    private static Folder contacts(DavStore store, String user) {
        return store.folders(user).filter(f -> f.type() == FolderType.CONTACTS).blockFirst();
    }

    private static MailStoreException.Kind failure(Mono<?> call) {
        Throwable error = call.materialize().block().getThrowable();
        assertThat(error).isInstanceOf(MailStoreException.class);
        return ((MailStoreException) error).kind();
    }

    @Test
    void eachUserSeesOnlyTheirOwnCollectionsAndItems() {
        passwords.put("alice", "alice-pw");
        passwords.put("bob", "bob-pw");
        DavStore store = store(100);
        Folder alices = contacts(store, "alice");
        Folder bobs = contacts(store, "bob");
        assertThat(alices.id()).isNotEqualTo(bobs.id());
        Item secret = store.add("alice", alices.id(), contact("Alice Secret")).block();

        assertThat(store.changesSince("bob", bobs.id(), 0).block().changed()).extracting(ItemVersion::id)
                .doesNotContain(secret.id());
        assertThat(failure(store.changesSince("bob", alices.id(), 0))).as("alice's folder id asked by bob")
                .isEqualTo(MailStoreException.Kind.NOT_FOUND);
        assertThat(failure(store.item("bob", alices.id(), secret.id()))).isEqualTo(MailStoreException.Kind.NOT_FOUND);
        assertThat(store.changesSince("alice", alices.id(), 0).block().changed()).extracting(ItemVersion::id)
                .contains(secret.id());
    }

    @Test
    void anEvictedUserRediscoversAndHerOldWatermarkAsksForAReset() {
        passwords.put("alice", "alice-pw");
        passwords.put("bob", "bob-pw");
        DavStore store = store(1);
        Folder alices = contacts(store, "alice");
        store.add("alice", alices.id(), contact("Kept Across Eviction")).block();
        FolderChanges before = store.changesSince("alice", alices.id(), 0).block();
        assertThat(store.knownUsers()).containsExactly("alice");

        Folder bobs = contacts(store, "bob"); // one user at most: alice's state goes
        assertThat(store.knownUsers()).containsExactly("bob");
        assertThat(store.changesSince("bob", bobs.id(), 0).block().changed()).extracting(ItemVersion::id)
                .as("nothing of alice's reaches bob after her eviction").noneMatch(id -> id.startsWith(alices.id()));

        FolderChanges after = store.changesSince("alice", alices.id(), before.highestModSeq()).block();
        assertThat(after.resetRequired()).as("a watermark the node no longer knows").isTrue();
        assertThat(after.changed()).hasSameSizeAs(before.changed());
        assertThat(store.knownUsers()).containsExactly("alice");
    }

    @Test
    void anIdleUserIsForgotten() {
        passwords.put("carol", "carol-pw");
        DavStore store = store(100);
        contacts(store, "carol");
        assertThat(store.knownUsers()).contains("carol");
        nanos.addAndGet(Duration.ofMinutes(31).toNanos());
        assertThat(store.knownUsers()).doesNotContain("carol");
        assertThat(contacts(store, "carol")).as("rediscovered on the next request").isNotNull();
    }

    @Test
    void aRefusedLoginIsCredentialsRefusedNotAnEmptyList() {
        passwords.put("bob", "not-bobs-password");
        DavStore store = store(100);
        assertThat(failure(store.folders("bob").collectList())).isEqualTo(MailStoreException.Kind.CREDENTIALS_REFUSED);
        assertThat(failure(store.folders("bob").collectList())).isEqualTo(MailStoreException.Kind.CREDENTIALS_REFUSED);

        // logged in, but as someone else: bob's principal is not theirs (owner_only answers 403)
        DavStore wrongPrincipal = new DavStore(new DavClient(Duration.ofSeconds(10)),
                user -> Optional.of(new DavCredentials.Login(user, "alice", "alice-pw")), radicale.url(),
                Clock.systemUTC(), 10, Duration.ofMinutes(1));
        assertThat(failure(wrongPrincipal.folders("bob").collectList()))
                .isEqualTo(MailStoreException.Kind.CREDENTIALS_REFUSED);

        passwords.put("bob", "bob-pw");
        assertThat(contacts(store, "bob")).as("accepted again once the password is right").isNotNull();
    }

    @Test
    void aUserWithoutASessionIsUnavailable() {
        DavStore store = store(100);
        assertThat(failure(store.folders("nobody-logged-in").collectList()))
                .isEqualTo(MailStoreException.Kind.UNAVAILABLE);
    }
}
