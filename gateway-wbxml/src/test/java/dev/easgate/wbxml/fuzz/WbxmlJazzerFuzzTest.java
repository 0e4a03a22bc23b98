package dev.easgate.wbxml.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.easgate.wbxml.WbxmlDecoder;

/**
 * Coverage-guided fuzzing with Jazzer. A plain {@code mvn test} runs it in regression mode: it replays the seed
 * corpus in {@code src/test/resources/dev/easgate/wbxml/fuzz/WbxmlJazzerFuzzTestInputs/} (the {@link FuzzSeeds}
 * documents, plus any finding saved there) and an empty input. To fuzz for real, for {@code maxDuration}:
 *
 * <pre>
 *   JAZZER_FUZZ=1 mvn -pl gateway-wbxml test -Dtest=WbxmlJazzerFuzzTest#decodeRoundTrips
 * </pre>
 *
 * <p>The bounded mutation fuzzing that every build runs is {@link WbxmlMutationFuzzTest}.
 */
class WbxmlJazzerFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void decodeRoundTrips(byte[] input) {
        RoundTripProperty.check(input, WbxmlDecoder.DEFAULT);
    }

    @FuzzTest(maxDuration = "20s")
    void decodeRoundTripsWithSmallLimits(byte[] input) {
        RoundTripProperty.check(input, RoundTripProperty.SMALL);
    }
}
