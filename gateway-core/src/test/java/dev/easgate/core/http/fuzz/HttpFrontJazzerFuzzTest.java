package dev.easgate.core.http.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the HTTP front with Jazzer. A plain {@code mvn test} runs it in regression mode: it
 * replays the corpus in {@code src/test/resources/dev/easgate/core/http/fuzz/HttpFrontJazzerFuzzTestInputs/} (the
 * {@link HttpFrontSeeds}, plus any finding saved there). To fuzz for real, for {@code maxDuration}:
 *
 * <pre>
 *   JAZZER_FUZZ=1 mvn -pl gateway-core test -Dtest=HttpFrontJazzerFuzzTest#queriesParseOrAreRefused
 * </pre>
 *
 * <p>The bounded mutation fuzzing that every build runs is {@link HttpFrontMutationFuzzTest}.
 */
class HttpFrontJazzerFuzzTest {
    private static RequestProperty gateway;

    @BeforeAll
    static void start() {
        gateway = RequestProperty.start();
    }

    @AfterAll
    static void stop() {
        gateway.stillServes();
        gateway.close();
    }

    @FuzzTest(maxDuration = "30s")
    void queriesParseOrAreRefused(byte[] input) {
        QueryProperty.query(input);
    }

    @FuzzTest(maxDuration = "30s")
    void credentialsParseOrAreRefused(byte[] input) {
        QueryProperty.credentials(input);
    }

    @FuzzTest(maxDuration = "60s")
    void requestsThroughThePipelineAreAnswered(byte[] input) {
        // connecting to the gateway under test is the point here, not a server-side request forgery: Jazzer's SSRF
        // detector would report the first connection
        try (SilentCloseable allowed = BugDetectors.allowNetworkConnections()) {
            gateway.check(input);
        }
    }
}
