package dev.easgate.backends.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.MailStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class LoginGateTest {
    private final Scheduler blocking = Schedulers.newBoundedElastic(3, 1000, "login-gate-test");

    @AfterEach
    void stop() {
        blocking.dispose();
    }

    @Test
    void checksBeyondTheLimitWaitWithoutTakingTheSchedulersThreads() throws Exception {
        LoginGate gate = new LoginGate(2, Duration.ofSeconds(30), Schedulers.parallel());
        CountDownLatch serverAnswers = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<Mono<String>> checks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            checks.add(gate.run(Mono.fromCallable(() -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                serverAnswers.await(30, TimeUnit.SECONDS);
                running.decrementAndGet();
                return "ok";
            }).subscribeOn(blocking)));
        }
        AtomicInteger done = new AtomicInteger();
        checks.forEach(check -> check.subscribe(v -> done.incrementAndGet()));

        // two logins at the server (their tasks may still be starting on the scheduler's threads: wait for both),
        // eight waiting in the gate: the scheduler's third thread is free for other work
        long started = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (running.get() < 2 && System.nanoTime() < started) {
            Thread.sleep(5);
        }
        assertThat(running.get()).isEqualTo(2);
        assertThat(Mono.fromCallable(() -> "other work").subscribeOn(blocking).block(Duration.ofSeconds(5)))
                .isEqualTo("other work");
        assertThat(gate.waiting()).isEqualTo(8);

        serverAnswers.countDown();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (done.get() < 10 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(done.get()).isEqualTo(10);
        assertThat(peak.get()).isEqualTo(2);
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void aCheckWaitingLongerThanTheLimitIsUnavailableAndThePlaceStaysUsable() {
        LoginGate gate = new LoginGate(1, Duration.ofMillis(200), Schedulers.parallel());
        CountDownLatch serverAnswers = new CountDownLatch(1);
        Mono<String> slow = gate.run(Mono.fromCallable(() -> {
            serverAnswers.await(30, TimeUnit.SECONDS);
            return "slow";
        }).subscribeOn(blocking));
        Disposable first = slow.subscribe();

        StepVerifier.create(gate.run(Mono.just("queued")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MailStoreException.class)
                        .hasMessageContaining("1 IMAP login checks"))
                .verify(Duration.ofSeconds(5));

        serverAnswers.countDown();
        // the place comes back when the slow check ends: the next one runs at once
        StepVerifier.create(gate.run(Mono.just("next"))).expectNext("next").verifyComplete();
        first.dispose();
    }

    @Test
    void aCallerThatGivesUpLeavesTheQueue() {
        LoginGate gate = new LoginGate(1, Duration.ofSeconds(30), Schedulers.parallel());
        CountDownLatch serverAnswers = new CountDownLatch(1);
        gate.run(Mono.fromCallable(() -> serverAnswers.await(30, TimeUnit.SECONDS)).subscribeOn(blocking))
                .subscribe();
        AtomicInteger ran = new AtomicInteger();
        Disposable gone = gate.run(Mono.fromCallable(ran::incrementAndGet)).subscribe();
        assertThat(gate.waiting()).isEqualTo(1);

        gone.dispose();
        assertThat(gate.waiting()).isZero();
        serverAnswers.countDown();
        StepVerifier.create(gate.run(Mono.just("after"))).expectNext("after").verifyComplete();
        assertThat(ran.get()).isZero();
    }
}
