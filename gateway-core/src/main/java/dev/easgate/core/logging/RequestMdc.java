package dev.easgate.core.logging;

import dev.easgate.backends.logging.LogText;
import dev.easgate.backends.state.DeviceKey;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.MDC;
import reactor.core.publisher.Hooks;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The request's user, device and command in the MDC of every log line written while serving it (MDC keys
 * {@value #USER}, {@value #DEVICE}, {@value #COMMAND}), wherever Reactor runs the request's code. The MDC holds
 * them escaped and cut ({@link LogText}); the {@link Tags} keep them as the client sent them.
 *
 * <p>The values live in the Reactor Context of the request (one small object, {@link #with}); Reactor's automatic
 * context propagation (micrometer context-propagation) puts them into the MDC of the thread that runs a signal of
 * that request and takes them out after, so a thread hop (a store answering on its own thread, a delay, a wake of
 * a parked Ping) never loses them and never leaks them into another request. A parked request holds nothing but
 * its subscription's Context; no thread-local stays set while it waits. Code outside any Reactor chain (the
 * checks before a request's chain starts) uses {@link #open}.
 */
public final class RequestMdc {
    public static final String USER = "user";
    public static final String DEVICE = "device";
    public static final String COMMAND = "command";
    /** The Reactor Context key of the request's {@link Tags}. */
    public static final String CONTEXT_KEY = "easgate.request";

    private static final ThreadLocal<Tags> CURRENT = new ThreadLocal<>();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private RequestMdc() {
    }

    /** Who and what a request is about; a missing part is {@code "-"}. */
    public record Tags(String user, String device, String command) {
        public Tags {
            user = user == null || user.isEmpty() ? "-" : user;
            device = device == null || device.isEmpty() ? "-" : device;
            command = command == null || command.isEmpty() ? "-" : command;
        }
    }

    /**
     * Registers the MDC accessor and turns on Reactor's automatic context propagation; idempotent, called when
     * the EAS endpoint is built.
     */
    public static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            ContextRegistry registry = ContextRegistry.getInstance();
            registry.registerThreadLocalAccessor(new Accessor());
            // the request's tags are the only thread-local a request carries: the accessors found on the class path
            // (Micrometer Observation's) would each be cleared and restored, a map allocated for it, at every signal
            // and thread hop of every request, for nothing (in a wake profile the propagation was a fifth of the
            // bytes a change allocates)
            for (ThreadLocalAccessor<?> accessor : List.copyOf(registry.getThreadLocalAccessors())) {
                if (!CONTEXT_KEY.equals(accessor.key())) {
                    registry.removeThreadLocalAccessor(accessor.key());
                }
            }
            Hooks.enableAutomaticContextPropagation();
        }
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
            return () -> { };
        }
        Tags previous = CURRENT.get();
        set(tags);
        return () -> {
            if (previous == null) {
                clear();
            } else {
                set(previous);
            }
        };
    }

    /** A scope that does not throw on close. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    static void set(Tags tags) {
        CURRENT.set(tags);
        // the user name and device id come from the client: escaped and cut where they enter the MDC, so every
        // log format (text, JSON) and every appender gets them safe for one line and bounded in length
        MDC.put(USER, LogText.escape(tags.user()));
        MDC.put(DEVICE, LogText.escape(tags.device()));
        MDC.put(COMMAND, LogText.escape(tags.command()));
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

    /** Moves the tags between the Reactor Context and the MDC; reading is one thread-local lookup. */
    private static final class Accessor implements ThreadLocalAccessor<Tags> {
        @Override
        public Object key() {
            return CONTEXT_KEY;
        }

        @Override
        public Tags getValue() {
            return CURRENT.get();
        }

        @Override
        public void setValue(Tags value) {
            if (value != CURRENT.get()) {
                set(value);
            }
        }

        @Override
        public void setValue() {
            clear();
        }
    }
}
