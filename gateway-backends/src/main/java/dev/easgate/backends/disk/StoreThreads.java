package dev.easgate.backends.disk;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The disk store's threads: a fixed pool that takes at most {@code capacity} calls waiting, beyond which a call is
 * refused rather than queued without bound. The hand-off takes no lock: the queue is a {@link LinkedTransferQueue}
 * and the bound one counter. Reactor's bounded-elastic scheduler, used before, picks a worker under a
 * {@code synchronized} monitor on every call; with the store entered several times per request from every event
 * loop, event-loop threads waited seconds on it under load whenever a thread holding it was preempted.
 */
final class StoreThreads extends ThreadPoolExecutor {
    private final int capacity;
    private final AtomicInteger waiting = new AtomicInteger();

    StoreThreads(int threads, int capacity, String name) {
        super(threads, threads, 60, TimeUnit.SECONDS, new LinkedTransferQueue<>(), daemonThreads(name));
        this.capacity = capacity;
    }

    @Override
    public void execute(Runnable task) {
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            throw new RejectedExecutionException("more than " + capacity + " state store calls waiting");
        }
        try {
            super.execute(task);
        } catch (RuntimeException e) {
            waiting.decrementAndGet();
            throw e;
        }
    }

    @Override
    protected void beforeExecute(Thread thread, Runnable task) {
        waiting.decrementAndGet();
    }

    /** Calls submitted and not yet started. */
    int waiting() {
        return waiting.get();
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
