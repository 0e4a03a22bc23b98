package dev.easgate.core.http.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mutation fuzzing of the HTTP front that every build runs: a seeded {@link Random} mutates the
 * {@link HttpFrontSeeds} (bit flips, interesting bytes, insertions, deletions, truncation, splicing) and checks each
 * result against {@link QueryProperty} (queries of both forms, Basic credentials) and {@link RequestProperty}
 * (whole requests through a running gateway). Bounded: 10,000 inputs per parser and 200 requests, a few seconds each;
 * on a machine so loaded that a target would take over its budget, it stops there, past the first tenth. Longer:
 *
 * <pre>
 *   mvn -pl gateway-core test -Dtest=HttpFrontMutationFuzzTest -Dhttp.fuzz.iterations=1000000 \
 *       -Dhttp.fuzz.requests=20000 -Dhttp.fuzz.budgetSeconds=3600 -Dhttp.fuzz.seed=7
 * </pre>
 *
 * A failure names the target, the iteration, the seed and the input in hex (replayable by saving it in the Jazzer
 * corpus directory of {@link HttpFrontJazzerFuzzTest}).
 */
class HttpFrontMutationFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("http.fuzz.iterations", 10_000);
    private static final int REQUESTS = Integer.getInteger("http.fuzz.requests", 200);
    private static final long SEED = Long.getLong("http.fuzz.seed", 0x5EED_F00DL);
    private static final long BUDGET_NANOS = Long.getLong("http.fuzz.budgetSeconds", 10) * 1_000_000_000L;
    private static final int MAX_INPUT = 4 << 10;
    private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x03, 0x0A, 0x0D, 0x20, 0x25, 0x26, 0x2B, 0x2F,
            0x3A, 0x3D, 0x40, 0x5C, 0x7F, 0x80, 0xC3, 0xE2, 0xFF};

    @Test
    void mutatedQueriesParseOrAreRefused() {
        run("queries", ITERATIONS, QueryProperty::query);
    }

    @Test
    void mutatedCredentialsParseOrAreRefused() {
        run("credentials", ITERATIONS, QueryProperty::credentials);
    }

    @Test
    void mutatedRequestsThroughThePipelineAreAnswered() {
        try (RequestProperty gateway = RequestProperty.start()) {
            run("requests", REQUESTS, gateway::check);
            gateway.stillServes();
        }
    }

    private static void run(String target, int iterations, Consumer<byte[]> property) {
        Random random = new Random(SEED ^ target.hashCode());
        List<byte[]> corpus = new ArrayList<>(HttpFrontSeeds.all(target));
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            if (i >= iterations / 10 && (i & 63) == 0 && System.nanoTime() - start > BUDGET_NANOS) {
                break;
            }
            // the seeds themselves first, then mutations of the corpus
            byte[] input = i < corpus.size() ? corpus.get(i) : mutate(random, corpus);
            try {
                property.accept(input);
            } catch (Throwable t) {
                throw new AssertionError(target + ": iteration " + i + " of seed " + SEED + " failed on input "
                        + HexFormat.of().formatHex(input) + ": " + t, t);
            }
            if (i >= corpus.size() && corpus.size() < 500 && random.nextInt(8) == 0) {
                corpus.add(input);
            }
        }
    }

    static byte[] mutate(Random random, List<byte[]> corpus) {
        byte[] input = corpus.get(random.nextInt(corpus.size())).clone();
        for (int round = 1 + random.nextInt(4); round > 0; round--) {
            input = switch (random.nextInt(6)) {
                case 0 -> flip(random, input);
                case 1 -> set(random, input, INTERESTING[random.nextInt(INTERESTING.length)]);
                case 2 -> insert(random, input);
                case 3 -> delete(random, input);
                case 4 -> input.length == 0 ? input : Arrays.copyOf(input, random.nextInt(input.length));
                default -> splice(random, input, corpus.get(random.nextInt(corpus.size())));
            };
        }
        return input.length > MAX_INPUT ? Arrays.copyOf(input, MAX_INPUT) : input;
    }

    private static byte[] flip(Random random, byte[] input) {
        if (input.length > 0) {
            input[random.nextInt(input.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return input;
    }

    private static byte[] set(Random random, byte[] input, int value) {
        if (input.length > 0) {
            input[random.nextInt(input.length)] = (byte) value;
        }
        return input;
    }

    private static byte[] insert(Random random, byte[] input) {
        int at = random.nextInt(input.length + 1);
        byte[] extra = new byte[1 + random.nextInt(16)];
        random.nextBytes(extra);
        byte[] out = new byte[input.length + extra.length];
        System.arraycopy(input, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(input, at, out, at + extra.length, input.length - at);
        return out;
    }

    private static byte[] delete(Random random, byte[] input) {
        if (input.length == 0) {
            return input;
        }
        int at = random.nextInt(input.length);
        int count = 1 + random.nextInt(Math.min(16, input.length - at));
        byte[] out = new byte[input.length - count];
        System.arraycopy(input, 0, out, 0, at);
        System.arraycopy(input, at + count, out, at, input.length - at - count);
        return out;
    }

    private static byte[] splice(Random random, byte[] input, byte[] other) {
        int cut = random.nextInt(input.length + 1);
        int from = random.nextInt(other.length + 1);
        byte[] out = new byte[cut + other.length - from];
        System.arraycopy(input, 0, out, 0, cut);
        System.arraycopy(other, from, out, cut, other.length - from);
        return out;
    }
}
