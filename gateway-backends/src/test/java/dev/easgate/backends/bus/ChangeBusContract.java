package dev.easgate.backends.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * What every {@link ChangeBus} does, written once: an implementation's test class implements this interface and
 * supplies the bus and a way to count its subscriptions where they live (Redis: PUBSUB). Each test uses users of its
 * own.
 */
public interface ChangeBusContract {
    Duration WAIT = Duration.ofSeconds(10);

    ChangeBus bus();

    /** Channel subscriptions this bus holds where they live (for Redis: on the server); must reach 0 when idle. */
    long openSubscriptions();

    /** Listener objects the bus still references (must reach 0 when every registration is disposed). */
    long retainedListeners();

    default String newUser() {
        return "bus-" + UUID.randomUUID();
    }

    // ---- delivery -----------------------------------------------------------------------------------------------

    @Test
    default void eventsReachTheListenersOfTheirUserOnly() throws Exception {
        String alice = newUser();
        String bob = newUser();
        Recorder aliceListener = new Recorder();
        Recorder bobListener = new Recorder();
        Disposable aliceRegistration = bus().listen(alice, aliceListener).block(WAIT);
        Disposable bobRegistration = bus().listen(bob, bobListener).block(WAIT);
        try {
            BusEvent forAlice = new BusEvent.FolderChanged(alice, "f1", false);
            BusEvent forBob = new BusEvent.DeviceParked(bob, "PHONE", "park-1");
            bus().publish(forAlice).block(WAIT);
            bus().publish(forBob).block(WAIT);

            assertThat(aliceListener.next()).isEqualTo(forAlice);
            assertThat(bobListener.next()).isEqualTo(forBob);
            assertThat(aliceListener.events).isEmpty();
            assertThat(bobListener.events).isEmpty();
        } finally {
            aliceRegistration.dispose();
            bobRegistration.dispose();
        }
    }

    @Test
    default void everyFieldOfAnEventTravels() throws Exception {
        String user = newUser();
        Recorder listener = new Recorder();
        Disposable registration = bus().listen(user, listener).block(WAIT);
        try {
            List<BusEvent> events = List.of(new BusEvent.FolderChanged(user, null, false),
                    new BusEvent.FolderChanged(user, null, true),
                    new BusEvent.FolderChanged(user, "f:\"quoted\" \\ \u00e9 \u2603 \n\u0001", true),
                    new BusEvent.DeviceParked(user, "dev \"1\"", "park-\u00fc"));
            for (BusEvent event : events) {
                bus().publish(event).block(WAIT);
            }
            for (BusEvent event : events) {
                assertThat(listener.next()).isEqualTo(event);
            }
        } finally {
            registration.dispose();
        }
    }

    @Test
    default void everyListenerOfAUserGetsTheEventAndDisposeStopsDelivery() throws Exception {
        String user = newUser();
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        Disposable firstRegistration = bus().listen(user, first).block(WAIT);
        Disposable secondRegistration = bus().listen(user, second).block(WAIT);
        BusEvent one = new BusEvent.FolderChanged(user, "f1", false);
        bus().publish(one).block(WAIT);
        assertThat(first.next()).isEqualTo(one);
        assertThat(second.next()).isEqualTo(one);

        firstRegistration.dispose();
        firstRegistration.dispose(); // idempotent
        assertThat(firstRegistration.isDisposed()).isTrue();
        BusEvent two = new BusEvent.FolderChanged(user, "f2", false);
        bus().publish(two).block(WAIT);

        assertThat(second.next()).isEqualTo(two);
        // both would have been called by the same delivery: the first is not
        assertThat(first.events).isEmpty();
        secondRegistration.dispose();
        bus().publish(new BusEvent.FolderChanged(user, "f3", false)).block(WAIT);
        assertThat(second.events.poll(100, TimeUnit.MILLISECONDS)).isNull();
    }

    /**
     * The ordering rule callers rely on: an event published once listen's Mono emitted is delivered. Several threads
     * share few users, so listens join subscriptions in flight and follow the departure of a user's last listener;
     * another thread publishes for the same users all along.
     */
    @Test
    default void anEventPublishedOnceListenEmittedIsAlwaysDelivered() throws Exception {
        List<String> users = List.of(newUser(), newUser(), newUser(), newUser(), newUser());
        int threads = 3;
        int iterationsPerThread = 700;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        AtomicInteger running = new AtomicInteger(threads);
        try {
            Future<?> noise = pool.submit(() -> {
                while (running.get() > 0) {
                    String user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
                    bus().publish(new BusEvent.FolderChanged(user, "noise", false)).block(WAIT);
                }
                return null;
            });
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    try {
                        for (int i = 0; i < iterationsPerThread; i++) {
                            String user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
                            String folder = "t" + thread + "-i" + i;
                            Recorder listener = new Recorder();
                            Disposable registration = bus().listen(user, listener).block(WAIT);
                            try {
                                bus().publish(new BusEvent.FolderChanged(user, folder, false)).block(WAIT);
                                listener.awaitFolder(folder);
                            } finally {
                                registration.dispose();
                            }
                        }
                    } finally {
                        running.decrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            noise.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        awaitTrue(() -> openSubscriptions() == 0 && retainedListeners() == 0, "no subscription left");
    }

    /**
     * 100,000 listen/dispose cycles over 1,000 users: each batch registers 2,000 listeners on 100 users (20 each,
     * their listens concurrent) and disposes them from two threads in random order, while the next batch's users
     * overlap: afterwards no channel is subscribed and no listener retained.
     */
    @Test
    default void manyListenDisposeCyclesLeaveNothingSubscribed() throws Exception {
        int users = 1000;
        int usersPerBatch = 100;
        int perBatch = 2000;
        int batches = 50;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            names.add(newUser());
        }
        BusListener quiet = new Recorder();
        ExecutorService disposers = Executors.newFixedThreadPool(2);
        try {
            for (int batch = 0; batch < batches; batch++) {
                int first = batch * usersPerBatch * 3 / 4; // a quarter of each batch's users were in the last one
                List<Disposable> registrations = Collections.synchronizedList(new ArrayList<>());
                Flux.range(0, perBatch)
                        .flatMap(i -> bus().listen(names.get((first + i % usersPerBatch) % users), quiet), 256)
                        .doOnNext(registrations::add)
                        .then()
                        .block(WAIT);
                assertThat(registrations).hasSize(perBatch);
                List<Disposable> shuffled = new ArrayList<>(registrations);
                Collections.shuffle(shuffled);
                Future<?> firstHalf = disposers.submit(() -> shuffled.subList(0, perBatch / 2)
                        .forEach(Disposable::dispose));
                Future<?> secondHalf = disposers.submit(() -> shuffled.subList(perBatch / 2, perBatch)
                        .forEach(Disposable::dispose));
                firstHalf.get();
                secondHalf.get();
            }
        } finally {
            disposers.shutdownNow();
        }
        awaitTrue(() -> openSubscriptions() == 0, "no channel subscribed");
        assertThat(retainedListeners()).isZero();
        // the bus still works for a user it subscribed and unsubscribed many times
        Recorder listener = new Recorder();
        Disposable registration = bus().listen(names.get(0), listener).block(WAIT);
        bus().publish(new BusEvent.FolderChanged(names.get(0), "after", false)).block(WAIT);
        listener.awaitFolder("after");
        registration.dispose();
    }

    @Test
    default void aListenCancelledBeforeItEmitsRegistersNothing() throws Exception {
        String user = newUser();
        for (int i = 0; i < 200; i++) {
            // whoever gets the registration owns it: the consumer disposes one emitted before the cancel
            bus().listen(user, new Recorder()).subscribe(Disposable::dispose).dispose();
        }
        awaitTrue(() -> openSubscriptions() == 0 && retainedListeners() == 0, "nothing left");
    }

    @Test
    default void theBusIsConnected() {
        assertThat(bus().connected()).isTrue();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Records what it receives. */
    final class Recorder implements BusListener {
        public final BlockingQueue<BusEvent> events = new LinkedBlockingQueue<>();
        public final Set<String> folders = ConcurrentHashMap.newKeySet();
        public final AtomicInteger gaps = new AtomicInteger();

        @Override
        public void onEvent(BusEvent event) {
            if (event instanceof BusEvent.FolderChanged changed && "noise".equals(changed.folderId())) {
                return;
            }
            events.add(event);
            if (event instanceof BusEvent.FolderChanged changed && changed.folderId() != null) {
                folders.add(changed.folderId());
            }
        }

        @Override
        public void onGap() {
            gaps.incrementAndGet();
        }

        /** The next event, failing after {@link #WAIT}. */
        public BusEvent next() throws InterruptedException {
            BusEvent event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no event within " + WAIT);
            }
            return event;
        }

        public void awaitFolder(String folder) throws InterruptedException {
            awaitTrue(() -> folders.contains(folder), "event for folder " + folder);
        }
    }
}
