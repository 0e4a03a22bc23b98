package dev.easgate.backends.bus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The rounds of a fallback watcher: every {@code interval}, each user {@link ParkedUsers parked} on this node is
 * checked once, the checks spread evenly over the interval (not a burst at its start), at most {@code cap} units
 * (folders or users, as the check counts them) per round; a round lasts at least the interval, longer when the
 * {@link #pacing} says so. Holds no thread: one timer, at most 16 checks in flight; a failing check is logged and
 * skipped.
 */
public final class ParkedPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParkedPoller.class);
    private static final Duration IDLE_LOOK = Duration.ofSeconds(1);

    /** Checks one parked user's watched folders; emits how many units of the cap it used. */
    @FunctionalInterface
    public interface Check {
        Mono<Integer> check(String user, Set<String> folderIds, int allowed);
    }

    private final String name;
    private final ParkedUsers parked;
    private final Duration interval;
    private final int cap;
    private final Check check;
    private final LongAdder checks = new LongAdder();
    private final AtomicBoolean capLogged = new AtomicBoolean();
    private volatile Runnable onRound = () -> { };
    private volatile Function<List<String>, Duration> pacing = users -> Duration.ZERO;
    private volatile Disposable rounds;

    public ParkedPoller(String name, ParkedUsers parked, Duration interval, int cap, Check check) {
        this.name = Objects.requireNonNull(name);
        this.parked = Objects.requireNonNull(parked);
        this.interval = Objects.requireNonNull(interval);
        this.cap = cap;
        this.check = Objects.requireNonNull(check);
    }

    /** Runs at the start of every round (before the checks), e.g. to drop what unparked users left behind. */
    public ParkedPoller onRound(Runnable action) {
        this.onRound = Objects.requireNonNull(action);
        return this;
    }

    /**
     * The least a round over these users may last (asked once per round, after the round hook); a round lasts the
     * longer of it and the interval, its checks spread over the whole: how a watcher bounds what a round costs the
     * server per second.
     */
    public ParkedPoller pacing(Function<List<String>, Duration> minimumRound) {
        this.pacing = Objects.requireNonNull(minimumRound);
        return this;
    }

    /** Starts the rounds; a zero or negative interval starts nothing. */
    public ParkedPoller start() {
        if (!interval.isZero() && !interval.isNegative()) {
            rounds = Mono.defer(this::round).repeat().subscribe();
        }
        return this;
    }

    /** User checks run since the start (for tests and diagnostics). */
    public long checks() {
        return checks.sum();
    }

    private Mono<Void> round() {
        try {
            onRound.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: round hook failed: {}", name, e.toString());
        }
        List<String> users = new ArrayList<>(parked.parkedUsers());
        if (users.isEmpty()) {
            // nobody to check: look again soon, so the first user to park does not wait up to a whole interval
            // for a round to begin
            return Mono.delay(interval.compareTo(IDLE_LOOK) < 0 ? interval : IDLE_LOOK, Schedulers.parallel())
                    .then();
        }
        Duration length = interval;
        try {
            Duration paced = pacing.apply(users);
            if (paced.compareTo(length) > 0) {
                length = paced;
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: pacing failed: {}", name, e.toString());
        }
        Mono<Void> pause = Mono.delay(length, Schedulers.parallel()).then();
        Duration step = length.dividedBy(users.size() + 1L);
        AtomicInteger budget = new AtomicInteger(cap);
        Mono<Void> spread = Flux.fromIterable(users)
                .delayElements(step, Schedulers.parallel())
                .flatMap(user -> checkOne(user, budget), 16)
                .then();
        return Mono.when(spread, pause);
    }

    private Mono<Void> checkOne(String user, AtomicInteger budget) {
        Set<String> folders = parked.parkedFolders(user);
        int allowed = budget.get();
        if (folders.isEmpty()) {
            return Mono.empty(); // unparked since the round began
        }
        if (allowed <= 0) {
            if (capLogged.compareAndSet(false, true)) {
                LOG.warn("{}: more than {} checked per round on this node; the rest wait for the next round", name,
                        cap);
            }
            return Mono.empty();
        }
        checks.increment();
        return Mono.defer(() -> check.check(user, folders, allowed))
                .doOnNext(used -> budget.addAndGet(-Math.max(1, used)))
                .onErrorResume(e -> {
                    LOG.debug("{}: user={} not checked: {}", name, user, e.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** Stops the rounds (a check in flight is cancelled). */
    @Override
    public void close() {
        Disposable current = rounds;
        if (current != null) {
            current.dispose();
        }
    }
}
