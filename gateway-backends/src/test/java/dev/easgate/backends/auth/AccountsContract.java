package dev.easgate.backends.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * What every {@link Accounts} does, written once: an implementation's test class implements this interface and
 * supplies the accounts and one valid login.
 */
public interface AccountsContract {

    Accounts accounts();

    /** A user name that logs in with {@link #password()}. */
    String user();

    String password();

    /** The primary address of {@link #user()}'s account. */
    String address();

    @Test
    default void theRightPasswordLogsIn() {
        StepVerifier.create(accounts().authenticate(user(), password()))
                .assertNext(account -> {
                    assertThat(account.user()).isEqualTo(user());
                    assertThat(account.primaryAddress()).isEqualToIgnoringCase(address());
                    assertThat(account.displayName()).isNotBlank();
                })
                .verifyComplete();
    }

    @Test
    default void aWrongPasswordDoesNot() {
        StepVerifier.create(accounts().authenticate(user(), password() + "x")).verifyComplete();
        StepVerifier.create(accounts().authenticate(user(), password().substring(1))).verifyComplete();
        StepVerifier.create(accounts().authenticate(user(), "")).verifyComplete();
    }

    @Test
    default void anUnknownUserDoesNotLogIn() {
        StepVerifier.create(accounts().authenticate("nobody-" + System.nanoTime(), password())).verifyComplete();
    }

    @Test
    default void byAddressIgnoresCase() {
        StepVerifier.create(accounts().byAddress(address().toUpperCase(Locale.ROOT)))
                .assertNext(account -> assertThat(account.user()).isEqualTo(user()))
                .verifyComplete();
        StepVerifier.create(accounts().byAddress(address()))
                .assertNext(account -> assertThat(account.user()).isEqualTo(user()))
                .verifyComplete();
    }

    @Test
    default void anUnknownAddressIsEmpty() {
        StepVerifier.create(accounts().byAddress("nobody@nowhere.invalid")).verifyComplete();
    }

    @Test
    default void everySpellingOfALoginIsOneAccountKey() {
        String key = accounts().accountKey(user());
        assertThat(key).as("the key of the account's own name").isNotBlank();
        for (String spelling : new String[] {user().toUpperCase(Locale.ROOT), " " + user() + " ",
                "EXAMPLE\\" + user(), "Example\\" + user().toUpperCase(Locale.ROOT), address(),
                address().toUpperCase(Locale.ROOT)}) {
            assertThat(accounts().accountKey(spelling)).as(spelling).isEqualTo(key);
        }
        // the key names the account the right password logs in to
        StepVerifier.create(accounts().authenticate(user(), password()))
                .assertNext(account -> assertThat(accounts().accountKey(account.user())).isEqualTo(key))
                .verifyComplete();
    }

    @Test
    default void otherLoginsHaveOtherKeys() {
        String key = accounts().accountKey(user());
        assertThat(accounts().accountKey(user() + "x")).isNotEqualTo(key);
        assertThat(accounts().accountKey("x" + user())).isNotEqualTo(key);
        assertThat(accounts().accountKey(user() + "@elsewhere.invalid")).isNotEqualTo(key);
    }
}
