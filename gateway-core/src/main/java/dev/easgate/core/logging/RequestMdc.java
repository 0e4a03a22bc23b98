package dev.easgate.core.logging;

import dev.easgate.backends.logging.LogText;
import dev.easgate.backends.state.DeviceKey;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscription;
import org.slf4j.MDC;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The request's user, device and command in the MDC of every log line written while serving it (MDC keys
 * {@value #USER}, {@value #DEVICE}, {@value #COMMAND}), wherever its code runs. The MDC holds them escaped and cut
 * ({@link LogText}); the {@link Tags} keep them as the client sent them.
 *
 * <p>The values live in the Reactor Context of the request (one small object, {@link #with}) and in a thread-local
 * while the request's code runs. They reach a thread in two ways. A task handed to a Reactor scheduler (a store's
 * blocking call, a delay, a {@code publishOn}) takes the tags of the thread that scheduled it and puts back what
 * was there after ({@link #install}). Where a signal comes from a thread that runs no request of its own (a body
 * read by the event loop, a future completed by a store's own thread, a login finished by another request's
 * check), {@link #restoring} sets the subscriber's tags from its Context around the signal. A parked request holds
 * nothing but its Context; no thread-local stays set while it waits. Code outside any Reactor chain (the checks
 * before a request's chain starts, a wake of a parked Ping) uses {@link #open}.
 *
 * <p>Reactor's automatic context propagation would do the same at every operator that writes a Context and every
 * thread hop, with a map allocated per hop: a fifth of the bytes a woken device's Sync and re-Ping allocated, and
 * 15 % of the node's CPU per change (eas-bench wake, 18,000 parked, 1,000 changes/s).
 */
public final class RequestMdc {
    public static final String USER = "user";
    public static final String DEVICE = "device";
    public static final String COMMAND = "command";
    /** The Reactor Context key of the request's {@link Tags}. */
    public static final String CONTEXT_KEY = "easgate.request";

    private static final ThreadLocal<Tags> CURRENT = new ThreadLocal<>();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static final String HOOK = "easgate.request-tags";

    private RequestMdc() {
    }

    /**
     * Who and what a request is about, as the client sent it; a missing part is {@code "-"}. Each part is escaped
     * for the MDC once, here: a request's tags are set on a thread at every task it runs.
     */
    public static final class Tags {
        private final String user;
        private final String device;
        private final String command;
        // LogText.escape gives the same string back when there is nothing to escape: no copy is kept then
        private final String escapedUser;
        private final String escapedDevice;
        private final String escapedCommand;

        public Tags(String user, String device, String command) {
            this.user = user == null || user.isEmpty() ? "-" : user;
            this.device = device == null || device.isEmpty() ? "-" : device;
            this.command = command == null || command.isEmpty() ? "-" : command;
            this.escapedUser = LogText.escape(this.user);
            this.escapedDevice = LogText.escape(this.device);
            this.escapedCommand = LogText.escape(this.command);
        }

        public String user() {
            return user;
        }

        public String device() {
            return device;
        }

        public String command() {
            return command;
        }

        @Override
        public String toString() {
            return escapedUser + "/" + escapedDevice + " " + escapedCommand;
        }
    }

    /**
     * Makes every task handed to a Reactor scheduler run with the tags of the thread that scheduled it; idempotent,
     * called when the EAS endpoint is built.
     */
    public static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            Schedulers.onScheduleHook(HOOK, RequestMdc::carrying);
        }
    }

    /** {@code task} run with the current thread's tags, or {@code task} itself when none are set. */
    static Runnable carrying(Runnable task) {
        Tags tags = CURRENT.get();
        if (tags == null) {
            return task;
        }
        return () -> {
            try (Scope scope = open(tags)) {
                task.run();
            }
        };
    }

    /** {@code context} with the request's tags, for {@code contextWrite}. */
    public static Context with(Context context, String user, String device, String command) {
        return context.put(CONTEXT_KEY, new Tags(user, device, command));
    }

    /** The tags in {@code context}, or null. */
    public static Tags of(ContextView context) {
        return context.getOrDefault(CONTEXT_KEY, null);
    }

    /**
     * The device a Reactor context's request comes from, when it names one: the origin of the changes its writes
     * publish ({@link dev.easgate.backends.bus.ChangePublishingMailStore}).
     */
    public static Optional<DeviceKey> device(ContextView context) {
        Tags tags = of(context);
        if (tags == null || tags.user().equals("-") || tags.device().equals("-")) {
            return Optional.empty();
        }
        return Optional.of(new DeviceKey(tags.user(), tags.device()));
    }

    /**
     * {@code source} whose subscription and signals run with the tags of its subscriber's Context (the request's),
     * whichever thread delivers them: for a source that answers on a thread of its own.
     */
    public static <T> Mono<T> restoring(Mono<T> source) {
        return new RestoringMono<>(source);
    }

    /** The tags of the current thread's request, or null. */
    public static Tags current() {
        return CURRENT.get();
    }

    /** Sets the tags on this thread until the scope is closed (then restores what was there). */
    public static Scope open(String user, String device, String command) {
        return open(new Tags(user, device, command));
    }

    /**
     * The same with tags at hand (a request's, kept while it was parked; null: nothing changes): for code that runs
     * a request's signal outside its Reactor chain, on whichever thread woke it.
     */
    public static Scope open(Tags tags) {
        if (tags == null) {
            return NOTHING;
        }
        Tags previous = CURRENT.get();
        if (previous == tags) {
            return NOTHING;
        }
        set(tags);
        return previous == null ? RequestMdc::clear : () -> set(previous);
    }

    /** A scope that does not throw on close. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final Scope NOTHING = () -> { };

    static void set(Tags tags) {
        CURRENT.set(tags);
        // the user name and device id come from the client: escaped and cut (Tags) before they enter the MDC, so
        // every log format (text, JSON) and every appender gets them safe for one line and bounded in length
        MDC.put(USER, tags.escapedUser);
        MDC.put(DEVICE, tags.escapedDevice);
        MDC.put(COMMAND, tags.escapedCommand);
    }

    static void clear() {
        if (CURRENT.get() == null) {
            return;
        }
        CURRENT.remove();
        MDC.remove(USER);
        MDC.remove(DEVICE);
        MDC.remove(COMMAND);
    }

    private static final class RestoringMono<T> extends MonoOperator<T, T> {
        RestoringMono(Mono<T> source) {
            super(source);
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            Tags tags = of(actual.currentContext());
            if (tags == null) {
                source.subscribe(actual);
                return;
            }
            try (Scope scope = open(tags)) {
                source.subscribe(new RestoringSubscriber<>(actual, tags));
            }
        }
    }

    /** Passes the signals on with the request's tags set; the subscription goes through untouched. */
    private record RestoringSubscriber<T>(CoreSubscriber<? super T> actual, Tags tags) implements CoreSubscriber<T> {
        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            actual.onSubscribe(subscription);
        }

        @Override
        public void onNext(T value) {
            try (Scope scope = open(tags)) {
                actual.onNext(value);
            }
        }

        @Override
        public void onError(Throwable error) {
            try (Scope scope = open(tags)) {
                actual.onError(error);
            }
        }

        @Override
        public void onComplete() {
            try (Scope scope = open(tags)) {
                actual.onComplete();
            }
        }
    }
}
