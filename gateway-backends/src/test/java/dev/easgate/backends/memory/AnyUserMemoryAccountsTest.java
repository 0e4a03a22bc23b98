package dev.easgate.backends.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.auth.AccountsContract;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class AnyUserMemoryAccountsTest implements AccountsContract {
    private final MemoryAccounts accounts = MemoryAccounts.anyUser("load-test", "load.example");

    @Override
    public Accounts accounts() {
        return accounts;
    }

    @Override
    public String user() {
        return "user0042";
    }

    @Override
    public String password() {
        return "load-test";
    }

    @Override
    public String address() {
        return "user0042@load.example";
    }

    /** Any-user mode lets every user name in: that is its point. */
    @Test
    @Override
    public void anUnknownUserDoesNotLogIn() {
        Account account = accounts.authenticate("User7", "load-test").block();

        assertThat(account).isEqualTo(new Account("user7", "user7", "user7@load.example"));
    }

    @Test
    void aUserGivenWithTheDomainIsTheSameUser() {
        assertThat(accounts.authenticate("user7@LOAD.example", "load-test").block().user()).isEqualTo("user7");
        StepVerifier.create(accounts.authenticate("user7@elsewhere.example", "load-test")).verifyComplete();
        StepVerifier.create(accounts.authenticate("", "load-test")).verifyComplete();
    }

    @Test
    void theSharedPasswordIsRequired() {
        StepVerifier.create(accounts.authenticate("user7", "guess")).verifyComplete();
    }

    @Test
    void aNameWithControlCharactersOrOverlongIsNoAccount() {
        StepVerifier.create(accounts.authenticate("user7\r\nforged", "load-test")).verifyComplete();
        StepVerifier.create(accounts.authenticate("user7\u0000", "load-test")).verifyComplete();
        StepVerifier.create(accounts.authenticate("u".repeat(321), "load-test")).verifyComplete();
        assertThat(accounts.authenticate("u".repeat(320), "load-test").block().user()).hasSize(320);
    }
}
