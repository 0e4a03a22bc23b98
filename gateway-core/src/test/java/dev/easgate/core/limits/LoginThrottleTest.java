package dev.easgate.core.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The counts of {@link LoginThrottle} on their own: which addresses count together, which devices apart. */
class LoginThrottleTest {
    private final LoginThrottle throttle = new LoginThrottle(100, Duration.ZERO, 3, Duration.ofMinutes(5),
            Clock.fixed(Instant.parse("2026-12-07T08:00:00Z"), ZoneOffset.UTC));

    @Test
    void anIpv6AddressCountsByItsSlash64AndAnIpv4MappedOneAsIpv4() {
        assertThat(LoginThrottle.addressScope("2001:db8:1:2::1")).isEqualTo("2001:db8:1:2::/64");
        assertThat(LoginThrottle.addressScope("2001:0db8:0001:0002:ffff:ee:dd:cc")).isEqualTo("2001:db8:1:2::/64");
        assertThat(LoginThrottle.addressScope("2001:db8:1:3::1")).isEqualTo("2001:db8:1:3::/64");
        assertThat(LoginThrottle.addressScope("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(LoginThrottle.addressScope("192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(LoginThrottle.addressScope("not an address")).isEqualTo("not an address");
    }

    @Test
    void aLockedAccountHoldsStrangersButNotTheDevicesOwnCount() {
        for (int i = 0; i < 3; i++) {
            throttle.failed(new LoginThrottle.Attempt("bob", "203.0.113." + i, "stranger-" + i)).block();
        }
        LoginThrottle.Check phone = throttle.check(new LoginThrottle.Attempt("bob", "192.0.2.1", "bobs-phone"))
                .block();
        assertThat(phone.verdict().refused()).isTrue();
        assertThat(phone.verdict().reason()).isEqualTo("account");
        assertThat(phone.known().refused()).as("the device's own count").isFalse();
        assertThat(phone.stricterThanDevice()).isTrue();
        // a 10 kB account name is one bounded key, still counted
        String huge = "x".repeat(10_000);
        for (int i = 0; i < 3; i++) {
            throttle.failed(new LoginThrottle.Attempt(huge, "198.51.100." + i, null)).block();
        }
        assertThat(throttle.check(new LoginThrottle.Attempt(huge, "192.0.2.9", null)).block().verdict().refused())
                .isTrue();
        assertThat(throttle.check(new LoginThrottle.Attempt(huge + "y", "192.0.2.9", null)).block().verdict()
                .refused()).isFalse();
    }
}
