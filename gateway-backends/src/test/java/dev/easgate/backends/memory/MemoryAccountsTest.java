package dev.easgate.backends.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.auth.AccountsContract;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class MemoryAccountsTest implements AccountsContract {
    private final MemoryAccounts accounts = MemoryAccounts.demo("example.com", "s3cret-Ä");

    @Override
    public Accounts accounts() {
        return accounts;
    }

    @Override
    public String user() {
        return "alice";
    }

    @Override
    public String password() {
        return "s3cret-Ä";
    }

    @Override
    public String address() {
        return "alice@example.com";
    }

    @Test
    void theDemoAccountsAreListed() {
        for (String user : new String[] {"demo", "alice", "bob"}) {
            Account account = accounts.authenticate(user, "s3cret-Ä").block();
            assertThat(account.primaryAddress()).isEqualTo(user + "@example.com");
        }
    }

    @Test
    void userNamesIgnoreCaseAndTheAddressLogsInToo() {
        assertThat(accounts.authenticate("ALICE", "s3cret-Ä").block().user()).isEqualTo("alice");
        assertThat(accounts.authenticate("Alice@Example.com", "s3cret-Ä").block().user()).isEqualTo("alice");
    }

    @Test
    void passwordsAreCaseSensitive() {
        StepVerifier.create(accounts.authenticate("alice", "S3CRET-Ä")).verifyComplete();
    }

    @Test
    void listedAccountsHaveTheirOwnPasswords() {
        MemoryAccounts listed = MemoryAccounts.builder()
                .user("carol", "Carol Nguyen", "carol@example.org", "one")
                .user("dave", "Dave Okafor", "dave@example.org", "two")
                .build();

        assertThat(listed.authenticate("carol", "one").block().displayName()).isEqualTo("Carol Nguyen");
        StepVerifier.create(listed.authenticate("carol", "two")).verifyComplete();
        assertThat(listed.authenticate("dave", "two").block().user()).isEqualTo("dave");
    }

    @Test
    void toStringShowsNoPassword() {
        assertThat(accounts.toString()).doesNotContain("s3cret");
    }
}
