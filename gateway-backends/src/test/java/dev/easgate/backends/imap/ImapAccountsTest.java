package dev.easgate.backends.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.auth.AccountsContract;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The accounts contract against a real Dovecot: EAS credentials are checked by IMAP login. */
class ImapAccountsTest implements AccountsContract {
    private static DovecotProcess dovecot;
    private static Scheduler scheduler;
    private static ImapConnections connections;
    private static ImapAccounts accounts;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start();
        scheduler = Schedulers.newBoundedElastic(8, 1000, "easgate-blocking-test");
        ImapAccounts.SessionSource sessions = ImapAccounts.sessionSource();
        connections = new ImapConnections(MailServerUrl.parse(dovecot.imapUrl(), "imap"), sessions, 2, 50,
                Duration.ofMinutes(5), Duration.ofSeconds(10));
        accounts = new ImapAccounts(connections, scheduler, DovecotProcess.DOMAIN, Duration.ofMinutes(5),
                Duration.ofHours(2), Duration.ofMillis(10), Clock.systemUTC());
        sessions.bind(accounts);
    }

    @AfterAll
    static void stop() {
        connections.close();
        scheduler.dispose();
        dovecot.close();
    }

    @Override
    public Accounts accounts() {
        return accounts;
    }

    @Override
    public String user() {
        return "user1";
    }

    @Override
    public String password() {
        return DovecotProcess.PASSWORD;
    }

    @Override
    public String address() {
        return "user1@" + DovecotProcess.DOMAIN;
    }

    @Test
    void aVerifiedLoginLetsTheGatewayActForTheUserAndHidesThePassword() {
        assertThat(accounts.login("user2")).isEmpty();
        StepVerifier.create(accounts.authenticate("user2", DovecotProcess.PASSWORD)).expectNextCount(1)
                .verifyComplete();

        assertThat(accounts.login("user2")).get().extracting(ImapCredentials.Login::password)
                .isEqualTo(DovecotProcess.PASSWORD);
        assertThat(accounts.login("user2").get().toString()).doesNotContain(DovecotProcess.PASSWORD);
        assertThat(accounts.toString()).doesNotContain(DovecotProcess.PASSWORD);
        // the second check is answered from the salted hash, the wrong password still by the server
        StepVerifier.create(accounts.authenticate("user2", DovecotProcess.PASSWORD)).expectNextCount(1)
                .verifyComplete();
        StepVerifier.create(accounts.authenticate("user2", "wrong")).verifyComplete();
    }

    @Test
    void repeatedFailuresAreSlowedDown() {
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            StepVerifier.create(accounts.authenticate("user3", "wrong" + i)).verifyComplete();
        }
        // 10 + 20 + 30 + 40 + 50 ms of delay at least
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        StepVerifier.create(accounts.authenticate("user3", DovecotProcess.PASSWORD)).expectNextCount(1)
                .verifyComplete();
    }
}
