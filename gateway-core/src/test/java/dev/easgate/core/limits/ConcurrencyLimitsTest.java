package dev.easgate.core.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.limits.ConcurrencyLimits.Refusal;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ConcurrencyLimitsTest {

    @Test
    void aSlotGivenBackWithinTheGraceAdmitsTheWaitingRequest() {
        ConcurrencyLimits limits = new ConcurrencyLimits(1, 4);
        assertThat(limits.acquire("alice", "phone")).isNull();
        // the previous answer's slot comes back a moment after the phone's next request arrived
        Mono.delay(Duration.ofMillis(50)).subscribe(tick -> limits.release("alice", "phone"));
        StepVerifier.create(limits.admit("alice", "phone"))
                .expectNext(Optional.empty())
                .verifyComplete();
        assertThat(limits.open("alice")).isEqualTo(1);
    }

    @Test
    void aSlotHeldPastTheGraceIsRefusedWithTheLimitThatRefused() {
        ConcurrencyLimits limits = new ConcurrencyLimits(1, 2);
        assertThat(limits.acquire("alice", "phone")).isNull();
        StepVerifier.create(limits.admit("alice", "phone"))
                .expectNext(Optional.of(Refusal.DEVICE))
                .verifyComplete();
        assertThat(limits.acquire("alice", "tablet")).isNull();
        StepVerifier.create(limits.admit("alice", "watch"))
                .expectNext(Optional.of(Refusal.USER))
                .verifyComplete();
        assertThat(limits.open("alice")).isEqualTo(2);
    }
}
