package dev.easgate.backends.imap;

import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * At most {@code limit} password checks under way at once; the others wait here, in a queue, holding no thread.
 *
 * <p>Without it every check took a thread of the bounded blocking scheduler and waited there for a login place
 * ({@link ImapConnections}' login concurrency). When thousands of phones needed a login together (their cached
 * checks expired, or the node restarted), all of that scheduler's threads sat waiting for login places, and the
 * phones already logged in could not get their own store work done: 4,992 requests in flight, 8 Pings parked,
 * for minutes. A check that waits here longer than {@code maxWait} fails as UNAVAILABLE (503 + Retry-After), as
 * one waiting for a login place did.
 */
final class LoginGate {
    private final int limit;
    private final Duration maxWait;
    private final Scheduler timer;
    /** In arrival order; a caller that gives up leaves it in constant time. */
    private final LinkedHashSet<Waiting> queue = new LinkedHashSet<>();
    private int running;

    LoginGate(int limit, Duration maxWait, Scheduler timer) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
        this.limit = limit;
        this.maxWait = maxWait;
        this.timer = timer;
    }

    /** Runs {@code work} (subscribed once a place is free) and gives the place back when it ends. */
    <T> Mono<T> run(Mono<T> work) {
        return Mono.create(sink -> {
            Waiting waiting = new Waiting(() -> work.contextWrite(sink.contextView())
                    .doFinally(signal -> release())
                    .subscribe(sink::success, sink::error, sink::success));
            boolean now;
            synchronized (this) {
                now = running < limit;
                if (now) {
                    running++;
                } else {
                    queue.add(waiting);
                }
            }
            if (now) {
                waiting.start.run();
                return;
            }
            Disposable deadline = timer.schedule(() -> {
                if (remove(waiting)) {
                    sink.error(new MailStoreException(Kind.UNAVAILABLE, "all " + limit + " IMAP login checks of "
                            + "this node stayed in progress for " + maxWait.toMillis() + " ms"));
                }
            }, maxWait.toMillis(), TimeUnit.MILLISECONDS);
            waiting.deadline = deadline;
            // a caller gone while waiting (the phone hung up) leaves the queue; one already started runs to its end
            sink.onCancel(() -> {
                remove(waiting);
                deadline.dispose();
            });
        });
    }

    /** Checks waiting for a place now. */
    synchronized int waiting() {
        return queue.size();
    }

    private synchronized boolean remove(Waiting waiting) {
        return queue.remove(waiting);
    }

    private void release() {
        Waiting next;
        synchronized (this) {
            Iterator<Waiting> first = queue.iterator();
            if (!first.hasNext()) {
                running--;
                return;
            }
            next = first.next();
            first.remove();
        }
        Disposable deadline = next.deadline;
        if (deadline != null) {
            deadline.dispose();
        }
        next.start.run();
    }

    private static final class Waiting {
        final Runnable start;
        volatile Disposable deadline;

        Waiting(Runnable start) {
            this.start = start;
        }
    }
}
