package dev.easgate.backends.memory;

import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.MailboxChange;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * The in-memory backends composed for a gateway: accounts and a mail store whose users start with the
 * {@link DemoMailbox}. Device state is not part of it: a single node keeps it on disk, a cluster in Redis.
 *
 * @param accounts  who may log in
 * @param mailStore every user's folders and items
 */
public record MemoryBackend(MemoryAccounts accounts, MemoryMailStore mailStore) {
    /** The password of the demo accounts when no other is configured: this backend is for demos only. */
    public static final String DEFAULT_DEMO_PASSWORD = "demo";

    public MemoryBackend {
        Objects.requireNonNull(accounts, "accounts");
        Objects.requireNonNull(mailStore, "mailStore");
    }

    /**
     * Demo backends at {@code domain}: with {@code anyUserPassword} every user name logs in with that password
     * (load tests), otherwise the demo accounts demo, alice and bob log in with {@link #DEFAULT_DEMO_PASSWORD}.
     */
    public static MemoryBackend create(Clock clock, Optional<String> anyUserPassword, String domain) {
        return create(clock, MemoryAccounts.of(anyUserPassword, domain, DEFAULT_DEMO_PASSWORD), domain,
                change -> { });
    }

    /** Demo backends with the given accounts; {@code listener} learns of every write to a mail store. */
    public static MemoryBackend create(Clock clock, MemoryAccounts accounts, String domain,
                                       Consumer<MailboxChange> listener) {
        return create(clock, accounts, new DemoMailbox(clock, domain), listener);
    }

    /**
     * Backends whose users start as {@code seeder} makes them: {@link DemoMailbox} for demos,
     * {@link MailboxSeeder#STANDARD_FOLDERS} (empty folders) for load tests that measure the gateway, not the data.
     */
    public static MemoryBackend create(Clock clock, MemoryAccounts accounts, MailboxSeeder seeder,
                                       Consumer<MailboxChange> listener) {
        MemoryMailStore mailStore = new MemoryMailStore(clock, seeder, listener);
        return new MemoryBackend(accounts, mailStore);
    }

    /** Delivers a message to the user's Inbox, unread (see {@link MemoryMailStore#deliver}). */
    public Mono<Item> deliver(String user, byte[] mime) {
        return mailStore.deliver(user, mime);
    }
}
