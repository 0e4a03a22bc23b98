package dev.easgate.backends.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.memory.MemoryAccounts;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The accounts decorator that holds each user's password for the session: still an {@link Accounts} (the
 * contract), and remembers exactly what a successful authentication used, for its time, for a bounded number of
 * users.
 */
class SessionCredentialsTest implements AccountsContract {
    private final AtomicLong nanos = new AtomicLong();
    private final SessionCredentials sessions = new SessionCredentials(MemoryAccounts.builder()
            .user("alice", "Alice Walker", "alice@example.com", "alice-pw")
            .user("bob", "Bob Martin", "bob@example.com", "bob-pw")
            .user("carol", "Carol King", "carol@example.com", "carol-pw")
            .build(), 2, Duration.ofMinutes(10), nanos::get);

    @Override
    public Accounts accounts() {
        return sessions;
    }

    @Override
    public String user() {
        return "alice";
    }

    @Override
    public String password() {
        return "alice-pw";
    }

    @Override
    public String address() {
        return "alice@example.com";
    }

    @Test
    void aSuccessfulLoginIsRememberedAndAFailedOneChangesNothing() {
        assertThat(sessions.session("alice")).isEmpty();
        assertThat(sessions.authenticate("alice", "wrong").blockOptional()).isEmpty();
        assertThat(sessions.session("alice")).as("a failed login holds nothing").isEmpty();

        assertThat(sessions.authenticate("alice", "alice-pw").blockOptional()).isPresent();
        SessionCredentials.Session session = sessions.session("alice").orElseThrow();
        assertThat(session.password()).isEqualTo("alice-pw");
        assertThat(session.account().primaryAddress()).isEqualTo("alice@example.com");
        assertThat(session.toString()).doesNotContain("alice-pw");

        assertThat(sessions.authenticate("alice", "guess").blockOptional()).isEmpty();
        assertThat(sessions.session("alice").orElseThrow().password()).as("a wrong guess does not replace it")
                .isEqualTo("alice-pw");
        assertThat(sessions.session("bob")).as("nobody else's").isEmpty();
    }

    @Test
    void theSessionEndsItsTimeAfterTheLastLogin() {
        sessions.authenticate("bob", "bob-pw").block();
        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        sessions.authenticate("bob", "bob-pw").block(); // a device's next request: the time starts again
        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        assertThat(sessions.session("bob")).isPresent();
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(sessions.session("bob")).as("10 minutes after the last login").isEmpty();
    }

    @Test
    void atMostMaxUsersAreHeld() {
        sessions.authenticate("alice", "alice-pw").block();
        sessions.authenticate("bob", "bob-pw").block();
        sessions.authenticate("carol", "carol-pw").block();
        assertThat(sessions.size()).isEqualTo(2);
        assertThat(sessions.session("carol").orElseThrow().password()).isEqualTo("carol-pw");
    }
}
