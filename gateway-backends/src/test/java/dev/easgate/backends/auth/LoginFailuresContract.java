package dev.easgate.backends.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link LoginFailures} does; implementations' tests implement this interface. */
public interface LoginFailuresContract {
    LoginFailures loginFailures();

    Duration LOCKOUT = Duration.ofMinutes(15);
    Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static String key() {
        return "u:contract-" + UUID.randomUUID();
    }

    @Test
    default void anUnknownKeyHasNoRecord() {
        assertThat(loginFailures().read(key()).block()).isEqualTo(LoginFailures.Record.NONE);
    }

    @Test
    default void failuresCountUpAndTheOneReachingTheLimitLocks() {
        String key = key();
        LoginFailures failures = loginFailures();
        assertThat(failures.fail(key, T0, 3, LOCKOUT).block()).isFalse();
        assertThat(failures.fail(key, T0.plusSeconds(1), 3, LOCKOUT).block()).isFalse();
        LoginFailures.Record two = failures.read(key).block();
        assertThat(two.count()).isEqualTo(2);
        assertThat(two.last()).isEqualTo(T0.plusSeconds(1));
        assertThat(two.lockedUntil()).isNull();

        assertThat(failures.fail(key, T0.plusSeconds(2), 3, LOCKOUT).block()).isTrue();
        LoginFailures.Record locked = failures.read(key).block();
        assertThat(locked.count()).isZero();
        assertThat(locked.lockedUntil()).isEqualTo(T0.plusSeconds(2).plus(LOCKOUT));
        // while locked, more failures count but do not lock again
        assertThat(failures.fail(key, T0.plusSeconds(3), 3, LOCKOUT).block()).isFalse();
        assertThat(failures.fail(key, T0.plusSeconds(4), 3, LOCKOUT).block()).isFalse();
        assertThat(failures.fail(key, T0.plusSeconds(5), 3, LOCKOUT).block()).isFalse();
        assertThat(failures.read(key).block().lockedUntil()).isEqualTo(T0.plusSeconds(2).plus(LOCKOUT));
    }

    @Test
    default void aFailureLongAfterTheLastStartsTheCountAgain() {
        String key = key();
        LoginFailures failures = loginFailures();
        failures.fail(key, T0, 3, LOCKOUT).block();
        failures.fail(key, T0.plusSeconds(1), 3, LOCKOUT).block();
        Instant later = T0.plus(LOCKOUT).plusSeconds(60);
        assertThat(failures.fail(key, later, 3, LOCKOUT).block()).isFalse();
        assertThat(failures.read(key).block().count()).isEqualTo(1);
    }

    @Test
    default void clearForgetsTheKeyAndOnlyIt() {
        String key = key();
        String other = key();
        LoginFailures failures = loginFailures();
        failures.fail(key, T0, 5, LOCKOUT).block();
        failures.fail(other, T0, 5, LOCKOUT).block();
        failures.clear(key).block();
        assertThat(failures.read(key).block()).isEqualTo(LoginFailures.Record.NONE);
        assertThat(failures.read(other).block().count()).isEqualTo(1);
    }

    @Test
    default void deviceKeysWithAnyCharactersAreTheirOwnRecords() {
        // a device key: the account, a NUL, the client-chosen DeviceId (printable ASCII, braces included)
        String account = "d:contract-" + UUID.randomUUID();
        String phone = account + "\0{phone}";
        String other = account + "\0{phone";
        LoginFailures failures = loginFailures();
        failures.fail(phone, T0, 3, LOCKOUT).block();
        failures.fail(phone, T0.plusSeconds(1), 3, LOCKOUT).block();
        failures.fail(other, T0.plusSeconds(2), 3, LOCKOUT).block();
        assertThat(failures.read(phone).block().count()).isEqualTo(2);
        assertThat(failures.read(other).block().count()).isEqualTo(1);
        assertThat(failures.read(account).block()).isEqualTo(LoginFailures.Record.NONE);
        failures.clear(phone).block();
        assertThat(failures.read(phone).block()).isEqualTo(LoginFailures.Record.NONE);
        assertThat(failures.read(other).block().count()).isEqualTo(1);
    }
}
