package dev.easgate.backends.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeldConnectionsTest {
    @Test
    void theFirstToParkKeepTheirPlacesUntilTheyUnpark() {
        HeldConnections held = new HeldConnections(2);
        Set<String> parked = new HashSet<>(List.of("a", "b", "c"));

        assertThat(held.admit(List.of("a", "b", "c"), parked::contains)).isEqualTo(1);
        assertThat(held.holds("a")).isTrue();
        assertThat(held.holds("b")).isTrue();
        assertThat(held.holds("c")).isFalse();

        // the next round in another order: the places stay with a and b (no churn between rounds)
        assertThat(held.admit(List.of("c", "b", "a"), parked::contains)).isEqualTo(1);
        assertThat(held.holds("c")).isFalse();

        // a unparks: its place goes to the next one asking
        parked.remove("a");
        assertThat(held.admit(List.of("c", "b"), parked::contains)).isZero();
        assertThat(held.holds("a")).isFalse();
        assertThat(held.holds("c")).isTrue();
        assertThat(held.size()).isEqualTo(2);
    }

    @Test
    void noPlacesMeansEveryPollLogsIn() {
        HeldConnections held = new HeldConnections(0);
        assertThat(held.admit(List.of("a", "b"), user -> true)).isEqualTo(2);
        assertThat(held.size()).isZero();
    }
}
