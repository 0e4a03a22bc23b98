package dev.easgate.wbxml.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlException;
import dev.easgate.wbxml.WbxmlException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mutation fuzzing that every build runs: a seeded {@link Random} mutates the {@link FuzzSeeds}
 * documents (bit flips, interesting bytes, insertions, deletions, truncation, splicing, duplicated ranges, garbage
 * multi-byte integers, stray WBXML tokens) and checks each result against {@link RoundTripProperty} (the XML round
 * trip on every eighth input, as it costs more than the rest together). Inputs that
 * decode join the corpus, so later mutations start from them. The 200,000 inputs take about ten seconds (on a
 * machine so loaded that they would take over 40, the run stops there, past the first tenth); for a longer run:
 *
 * <pre>
 *   mvn -pl gateway-wbxml test -Dtest=WbxmlMutationFuzzTest -Dwbxml.fuzz.iterations=5000000 \
 *       -Dwbxml.fuzz.budgetSeconds=3600 -Dwbxml.fuzz.seed=7
 * </pre>
 *
 * (surefire passes {@code -D} properties on to the test JVM). A failure names the iteration, the seed and the input
 * in hex.
 */
class WbxmlMutationFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("wbxml.fuzz.iterations", 200_000);
    private static final long SEED = Long.getLong("wbxml.fuzz.seed", 0x5EED_CAFEL);
    /** A safety net for a loaded machine: the loop stops early after this long, having run at least a tenth. */
    private static final long BUDGET_NANOS = Long.getLong("wbxml.fuzz.budgetSeconds", 40) * 1_000_000_000L;
    private static final int MAX_INPUT = 16 << 10;
    private static final int MAX_CORPUS = 2_000;

    /** WBXML global tokens, content/attribute variants, header bytes and integer edges. */
    private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x1A, 0x19, 0x3F, 0x40,
            0x41, 0x42, 0x43, 0x44, 0x45, 0x6A, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0xC0, 0xC1, 0xC2, 0xC3,
            0xC4, 0xC5, 0xFF};

    @Test
    void mutatedSeedsDecodeOrAreRefusedAndRoundTrip() {
        Random random = new Random(SEED);
        List<byte[]> corpus = new ArrayList<>(FuzzSeeds.encoded().values());
        int seeds = corpus.size();
        Set<Reason> reasons = EnumSet.noneOf(Reason.class);
        int decoded = 0;
        long start = System.nanoTime();
        int done = 0;
        for (int i = 0; i < ITERATIONS; i++, done++) {
            if (i >= ITERATIONS / 10 && (i & 1023) == 0 && System.nanoTime() - start > BUDGET_NANOS) {
                break;
            }
            byte[] input = mutate(random, corpus);
            WbxmlDecoder decoder = random.nextInt(4) == 0 ? RoundTripProperty.SMALL : WbxmlDecoder.DEFAULT;
            WbxmlException refused;
            try {
                refused = RoundTripProperty.check(input, decoder, i % 8 == 0);
            } catch (Throwable t) {
                throw new AssertionError("iteration " + i + " of seed " + SEED + " failed on input "
                        + HexFormat.of().formatHex(input) + ": " + t, t);
            }
            if (refused != null) {
                reasons.add(refused.reason());
            } else {
                decoded++;
                if (corpus.size() < MAX_CORPUS) {
                    corpus.add(input);
                } else {
                    corpus.set(seeds + random.nextInt(MAX_CORPUS - seeds), input);
                }
            }
        }
        System.out.printf("wbxml mutation fuzz: %d of %d inputs (seed %d) in %d ms, %d decoded and round-tripped,"
                + " refusals %s%n", done, ITERATIONS, SEED, (System.nanoTime() - start) / 1_000_000, decoded, reasons);
        // the mutations must reach past the header and into every kind of refusal, not just make noise
        assertThat(decoded).as("inputs that decoded").isGreaterThan(done / 100);
        assertThat(reasons).as("refusals seen").containsAll(EnumSet.complementOf(EnumSet.of(Reason.BAD_XML)));
    }

    @Test
    void everySeedRoundTrips() {
        FuzzSeeds.encoded().forEach((name, bytes) -> {
            assertThat(RoundTripProperty.check(bytes, WbxmlDecoder.DEFAULT)).as(name).isNull();
        });
    }

    /** Jazzer replays these files in regression mode; they must be the current seeds. */
    @Test
    void jazzerSeedFilesAreTheSeeds() throws IOException {
        for (String method : List.of("decodeRoundTrips", "decodeRoundTripsWithSmallLimits")) {
            for (Map.Entry<String, byte[]> seed : FuzzSeeds.encoded().entrySet()) {
                String resource = "WbxmlJazzerFuzzTestInputs/" + method + "/" + seed.getKey();
                try (InputStream in = WbxmlMutationFuzzTest.class.getResourceAsStream(resource)) {
                    assertThat(in).as(resource + " (regenerate with FuzzSeeds.main)").isNotNull();
                    assertThat(in.readAllBytes()).as(resource + " (regenerate with FuzzSeeds.main)")
                            .isEqualTo(seed.getValue());
                }
            }
        }
    }

    static byte[] mutate(Random random, List<byte[]> corpus) {
        byte[] data = corpus.get(random.nextInt(corpus.size()));
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            data = mutateOnce(random, data, corpus);
        }
        return data.length > MAX_INPUT ? Arrays.copyOf(data, MAX_INPUT) : data;
    }

    private static byte[] mutateOnce(Random random, byte[] data, List<byte[]> corpus) {
        int length = data.length;
        int at = random.nextInt(length + 1);
        switch (random.nextInt(10)) {
            case 0 -> { // flip one bit
                if (length == 0) {
                    return data;
                }
                byte[] copy = data.clone();
                copy[Math.min(at, length - 1)] ^= (byte) (1 << random.nextInt(8));
                return copy;
            }
            case 1 -> { // an interesting byte in place of one
                if (length == 0) {
                    return data;
                }
                byte[] copy = data.clone();
                copy[Math.min(at, length - 1)] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                return copy;
            }
            case 2 -> { // insert random bytes
                byte[] bytes = new byte[1 + random.nextInt(8)];
                random.nextBytes(bytes);
                return insert(data, at, bytes);
            }
            case 3 -> { // delete a range
                int end = Math.min(length, at + 1 + random.nextInt(16));
                return concat(Arrays.copyOfRange(data, 0, at), Arrays.copyOfRange(data, end, length));
            }
            case 4 -> { // truncate
                return Arrays.copyOf(data, at);
            }
            case 5 -> { // splice: this input's head, another's tail
                byte[] other = corpus.get(random.nextInt(corpus.size()));
                int from = random.nextInt(other.length + 1);
                return concat(Arrays.copyOf(data, at), Arrays.copyOfRange(other, from, other.length));
            }
            case 6 -> { // duplicate a range somewhere (repeats elements, deepens nesting)
                if (length == 0) {
                    return data;
                }
                int start = random.nextInt(length);
                int end = Math.min(length, start + 1 + random.nextInt(32));
                byte[] range = Arrays.copyOfRange(data, start, end);
                int times = 1 + random.nextInt(random.nextInt(8) == 0 ? 100 : 3);
                byte[] repeated = new byte[range.length * times];
                for (int i = 0; i < times; i++) {
                    System.arraycopy(range, 0, repeated, i * range.length, range.length);
                }
                return insert(data, at, repeated);
            }
            case 7 -> { // a garbage or edge-case mb_u_int32, often right after OPAQUE
                return insert(data, at, garbageInteger(random));
            }
            case 8 -> { // stray WBXML: a tag with content, STR_I, OPAQUE, SWITCH_PAGE, END
                return insert(data, at, strayTokens(random));
            }
            default -> { // overwrite with a random byte
                if (length == 0) {
                    return data;
                }
                byte[] copy = data.clone();
                copy[Math.min(at, length - 1)] = (byte) random.nextInt(256);
                return copy;
            }
        }
    }

    private static byte[] garbageInteger(Random random) {
        byte[] value = switch (random.nextInt(6)) {
            case 0 -> new byte[] {(byte) 0x8F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}; // 2^32 - 1
            case 1 -> new byte[] {(byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x00}; // 2^31
            case 2 -> new byte[] {(byte) 0x87, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}; // 2^31 - 1
            case 3 -> { // 1 to 7 continuation bytes and an end
                byte[] b = new byte[2 + random.nextInt(7)];
                for (int i = 0; i < b.length - 1; i++) {
                    b[i] = (byte) (0x80 | random.nextInt(128));
                }
                b[b.length - 1] = (byte) random.nextInt(128);
                yield b;
            }
            case 4 -> new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) random.nextInt(8)};
            default -> new byte[] {(byte) (0x80 | random.nextInt(128))}; // a dangling continuation
        };
        return random.nextBoolean() ? concat(new byte[] {(byte) 0xC3}, value) : value;
    }

    private static byte[] strayTokens(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> new byte[] {(byte) (0x45 + random.nextInt(0x3B))}; // some tag with content
            case 1 -> new byte[] {0x03, (byte) (0x20 + random.nextInt(0x60)), 0x00}; // STR_I "c"
            case 2 -> new byte[] {(byte) 0xC3, 0x02, (byte) random.nextInt(256), (byte) random.nextInt(256)};
            case 3 -> new byte[] {0x00, (byte) random.nextInt(random.nextInt(8) == 0 ? 256 : 27)}; // SWITCH_PAGE
            default -> new byte[] {0x01}; // END
        };
    }

    private static byte[] insert(byte[] data, int at, byte[] bytes) {
        byte[] out = new byte[data.length + bytes.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(bytes, 0, out, at, bytes.length);
        System.arraycopy(data, at, out, at + bytes.length, data.length - at);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
