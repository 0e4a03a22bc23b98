package dev.easgate.core.metrics;

import com.sun.management.ThreadMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;

/**
 * The gateway's metrics, named for Prometheus: requests by command and status, parked requests by command, wakes
 * by cause, wake latency, change-bus connection state, and the JVM's memory, GC and threads.
 */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> wakes = new ConcurrentHashMap<>();
    private final Timer wakeLatency;
    private final ConcurrentHashMap<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Counter loginFailures;
    private final ConcurrentHashMap<String, Counter> closes = new ConcurrentHashMap<>();
    private final Counter acceptFailures;

    public GatewayMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ManagementFactory.getThreadMXBean() instanceof ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            // exact between two scrapes, unlike the GC's estimate: what a request or a change costs in garbage
            FunctionCounter.builder("easgate.jvm.allocated", threads,
                            ThreadMXBean::getTotalThreadAllocatedBytes)
                    .description("heap bytes allocated by all threads since the JVM started")
                    .baseUnit("bytes")
                    .register(registry);
        }
        wakeLatency = Timer.builder("easgate.wake.latency")
                .description("from a change's publication on the bus to the wake of the parked request it concerns")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        loginFailures = Counter.builder("easgate.login.failures")
                .description("logins refused for bad credentials")
                .register(registry);
        acceptFailures = Counter.builder("easgate.http.accept.failures")
                .description("connections the node could not accept (e.g. out of file descriptors)")
                .register(registry);
    }

    /** Counts a client connection the gateway closed, by reason: idle, header-timeout, body-timeout, evicted... */
    public void connectionClosed(String reason) {
        closes.computeIfAbsent(reason, r -> Counter.builder("easgate.http.closed")
                .description("client connections closed by the gateway, by reason")
                .tag("reason", r)
                .register(registry)).increment();
    }

    /** Counts a failed accept of a client connection. */
    public void acceptFailure() {
        acceptFailures.increment();
    }

    /** Exposes the client connections open now. */
    public <T> void openConnectionsGauge(T source, ToIntFunction<T> count) {
        Gauge.builder("easgate.http.connections", source, s -> count.applyAsInt(s))
                .description("client connections open on this node")
                .strongReference(true)
                .register(registry);
    }

    /** Counts a finished request. */
    public void request(String command, int httpStatus) {
        String key = command + '\0' + httpStatus;
        requests.computeIfAbsent(key, k -> Counter.builder("easgate.requests")
                .description("EAS requests by command and HTTP status")
                .tag("command", command)
                .tag("status", Integer.toString(httpStatus))
                .register(registry)).increment();
    }

    /** Counts a request refused (or slowed) by an abuse limit: login, login_delayed, blocked, device_concurrency... */
    public void refusal(String limit) {
        refusals.computeIfAbsent(limit, l -> Counter.builder("easgate.limit.refusals")
                .description("requests refused or slowed by a limit, by limit")
                .tag("limit", l)
                .register(registry)).increment();
    }

    /** Counts a failed login (bad credentials). */
    public void loginFailure() {
        loginFailures.increment();
    }

    /** Counts a parked request's end by cause, with the event's latency when an event woke it (else -1). */
    public void wake(String cause, long latencyMillis) {
        wakes.computeIfAbsent(cause, c -> Counter.builder("easgate.wakes")
                .description("ends of parked requests by cause")
                .tag("cause", c)
                .register(registry)).increment();
        if (latencyMillis >= 0) {
            wakeLatency.record(Duration.ofMillis(latencyMillis));
        }
    }

    // Micrometer holds a gauge's source weakly: a source only the gauge refers to (a lambda, a method reference) is
    // collected at the next full GC and the gauge then reads NaN for good, so every gauge here holds it strongly

    /** Exposes the number of parked requests of one command (Ping, Sync). */
    public <T> void parkedGauge(String command, T source, ToIntFunction<T> count) {
        Gauge.builder("easgate.parked.requests", source, s -> count.applyAsInt(s))
                .description("requests parked on this node, waiting for a change")
                .tag("command", command)
                .strongReference(true)
                .register(registry);
    }

    /** Exposes the change bus connection state (1 connected, 0 not). */
    public void busConnectedGauge(String kind, BooleanSupplier connected) {
        Gauge.builder("easgate.changebus.connected", connected, c -> c.getAsBoolean() ? 1 : 0)
                .description("whether the change bus delivers (Redis connected)")
                .tag("kind", kind)
                .strongReference(true)
                .register(registry);
    }

    /** Exposes requests being processed. */
    public <T> void inFlightGauge(T source, ToIntFunction<T> count) {
        Gauge.builder("easgate.requests.in.flight", source, s -> count.applyAsInt(s))
                .description("requests being processed now (parked ones included)")
                .strongReference(true)
                .register(registry);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
