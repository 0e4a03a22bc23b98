package dev.easgate.backends.disk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * Prints roughly what a state write costs (a Sync's compare-and-set of a collection with 200 known items and a
 * 16 KB replay copy), one at a time and 8 at once, for both durabilities, and a read. Numbers for README, never an
 * assertion: only the stored state is checked.
 */
class DiskStateStoreCostTest {
    private static final int WRITES = 300;

    @TempDir
    Path dir;

    @Test
    void printsTheCostOfAStateWrite() {
        for (DiskStateStore.Durability durability : DiskStateStore.Durability.values()) {
            try (DiskStateStore store = DiskStateStore.open(dir.resolve(durability.name()), durability)) {
                DeviceKey device = new DeviceKey("cost", "PHONE");
                CollectionState state = state("1");
                store.replaceCollection(device, "f1", null, state).block();
                for (int i = 1; i < 50; i++) { // warm-up
                    store.replaceCollection(device, "f1", Integer.toString(i), state(Integer.toString(i + 1)))
                            .block();
                }
                long start = System.nanoTime();
                for (int i = 50; i < 50 + WRITES; i++) {
                    store.replaceCollection(device, "f1", Integer.toString(i), state(Integer.toString(i + 1)))
                            .block();
                }
                double serial = (System.nanoTime() - start) / 1e3 / WRITES;

                long commitsBefore = store.commits();
                start = System.nanoTime();
                Flux.range(0, WRITES).flatMap(i -> store.replaceCollection(new DeviceKey("cost", "P" + (i % 8)),
                        "f1", null, state("1")), 8).blockLast();
                double concurrent = (System.nanoTime() - start) / 1e3 / WRITES;
                double perCommit = (double) WRITES / (store.commits() - commitsBefore);

                start = System.nanoTime();
                for (int i = 0; i < WRITES; i++) {
                    store.collection(device, "f1").block();
                }
                double read = (System.nanoTime() - start) / 1e3 / WRITES;

                System.out.printf("disk state store, synchronous=%s: replaceCollection %.0f us one at a time, "
                        + "%.0f us each with 8 at once (%.1f writes per commit); collection read %.0f us%n",
                        durability, serial, concurrent, perCommit, read);
                assertThat(store.collection(device, "f1").block().syncKey()).isEqualTo(Integer.toString(51 + WRITES - 1));
            }
        }
    }

    private static CollectionState state(String key) {
        Map<String, Long> known = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            known.put("f1:" + i, 1_700_000_000_000_000L + i);
        }
        byte[] answer = new byte[16 * 1024];
        new Random(1).nextBytes(answer);
        return new CollectionState(key, 1_700_000_000_000_200L, known, "0", answer, new byte[8]);
    }
}
