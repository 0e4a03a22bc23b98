package dev.easgate.backends.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class ParkedPollerTest {
    /** A hub's view that tests fill by hand. */
    private static final class Parked implements ParkedUsers {
        final Map<String, Set<String>> users = new ConcurrentHashMap<>();

        @Override
        public Set<String> parkedUsers() {
            return users.keySet();
        }

        @Override
        public Set<String> parkedFolders(String user) {
            return users.getOrDefault(user, Set.of());
        }
    }

    @Test
    void pacingStretchesARoundBeyondTheInterval() throws Exception {
        Parked parked = new Parked();
        for (String user : new String[] {"a", "b", "c"}) {
            parked.users.put(user, Set.of("inbox"));
        }
        AtomicLong checks = new AtomicLong();
        try (ParkedPoller poller = new ParkedPoller("test", parked, Duration.ofMillis(100), 1000,
                (user, folders, allowed) -> Mono.fromSupplier(() -> (int) checks.incrementAndGet()).map(n -> 1))
                .pacing(users -> Duration.ofMillis(400L * users.size()))
                .start()) {
            Thread.sleep(2600);
        }
        // rounds of 1.2 s instead of 0.1 s: 2 or 3 rounds of 3 checks, not about 75
        assertThat(checks.get()).isBetween(6L, 9L);
    }

    @Test
    void aUserParkingOnAnIdleNodeIsCheckedWithoutWaitingForAWholeInterval() throws Exception {
        Parked parked = new Parked();
        AtomicLong firstCheck = new AtomicLong();
        try (ParkedPoller poller = new ParkedPoller("test", parked, Duration.ofSeconds(4), 1000,
                (user, folders, allowed) -> Mono.fromSupplier(() -> {
                    firstCheck.compareAndSet(0, System.nanoTime());
                    return 1;
                })).start()) {
            Thread.sleep(1500); // a few empty rounds
            long parkedAt = System.nanoTime();
            parked.users.put("a", Set.of("inbox"));
            long deadline = parkedAt + Duration.ofSeconds(6).toNanos();
            while (firstCheck.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // the next look within 1 s, then half the 4 s interval (one user: the round's midpoint)
            assertThat(firstCheck.get()).isPositive();
            assertThat(Duration.ofNanos(firstCheck.get() - parkedAt)).isLessThan(Duration.ofMillis(3500));
        }
    }
}
