package dev.easgate.backends.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.MailboxChange;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class MemoryBackendTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-02T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void demoAccountsLogInWithTheDefaultPasswordAndFindTheDemoMailbox() {
        MemoryBackend backend = MemoryBackend.create(CLOCK, Optional.empty(), "example.com");

        assertThat(backend.accounts().authenticate("demo", MemoryBackend.DEFAULT_DEMO_PASSWORD).block()
                .primaryAddress()).isEqualTo("demo@example.com");
        StepVerifier.create(backend.accounts().authenticate("loadtest1", "secret")).verifyComplete();
        assertThat(backend.mailStore().folders("demo").map(Folder::name).collectList().block())
                .contains("Inbox", "Junk", "Archive", "Projects");
    }

    @Test
    void anyUserModeLetsEveryUserInWithTheSharedPassword() {
        MemoryBackend backend = MemoryBackend.create(CLOCK, Optional.of("secret"), "load.example");

        assertThat(backend.accounts().authenticate("loadtest1", "secret").block().primaryAddress())
                .isEqualTo("loadtest1@load.example");
    }

    @Test
    void deliveredMessagesLandInTheInboxAndAreAnnounced() {
        List<MailboxChange> changes = new CopyOnWriteArrayList<>();
        MemoryBackend backend = MemoryBackend.create(CLOCK, MemoryAccounts.demo("example.com", "pw"), "example.com",
                changes::add);
        String inbox = backend.mailStore().folders("bob").filter(f -> f.type() == FolderType.INBOX).blockFirst().id();

        Item item = backend.deliver("bob", "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII))
                .block();

        assertThat(item.folderId()).isEqualTo(inbox);
        assertThat(changes).containsExactly(MailboxChange.items("bob", inbox));
    }
}
