package dev.easgate.backends.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The store's pool stays bounded: calls beyond the waiting limit are refused, and the count recovers. */
class StoreThreadsTest {

    @Test
    void callsBeyondTheLimitAreRefusedAndTheRestRun() throws Exception {
        StoreThreads threads = new StoreThreads(1, 2, "test-store");
        try {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger ran = new AtomicInteger();
            threads.execute(() -> {
                started.countDown();
                await(release);
            });
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            threads.execute(ran::incrementAndGet);
            threads.execute(ran::incrementAndGet);
            assertThat(threads.waiting()).isEqualTo(2);

            assertThatThrownBy(() -> threads.execute(ran::incrementAndGet))
                    .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("more than 2");
            assertThat(threads.waiting()).isEqualTo(2);

            release.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ran.get() < 2 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(ran.get()).isEqualTo(2);
            assertThat(threads.waiting()).isZero();
            threads.execute(ran::incrementAndGet); // room again
        } finally {
            threads.shutdown();
            assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThatThrownBy(() -> threads.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
