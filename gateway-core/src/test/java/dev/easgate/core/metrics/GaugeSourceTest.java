package dev.easgate.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every gauge keeps reading its source after full collections: Micrometer holds a gauge's source weakly unless told
 * otherwise, and a source nothing else refers to (the lambda the composition root passes) would read NaN after the
 * first full GC, silencing the alert on the Redis gauge.
 */
class GaugeSourceTest {

    @Test
    void gaugesWhoseOnlyReferenceIsTheGaugeStillReadAfterFullCollections() {
        GatewayMetrics metrics = new GatewayMetrics();
        AtomicBoolean connected = new AtomicBoolean(true);
        AtomicInteger parked = new AtomicInteger(3);
        AtomicInteger inFlight = new AtomicInteger(2);
        // sources only the gauges refer to, as Gateway passes them (method references, lambdas over a held value)
        metrics.busConnectedGauge("redis", () -> connected.get());
        metrics.parkedGauge("Ping", new Object(), o -> parked.get());
        metrics.inFlightGauge(new Object(), o -> inFlight.get());

        collectFully();

        String scrape = metrics.scrape();
        assertThat(value(scrape, "easgate_changebus_connected{kind=\"redis\"}")).isEqualTo(1.0);
        assertThat(value(scrape, "easgate_parked_requests{command=\"Ping\"}")).isEqualTo(3.0);
        assertThat(value(scrape, "easgate_requests_in_flight")).isEqualTo(2.0);
        connected.set(false);
        assertThat(value(metrics.scrape(), "easgate_changebus_connected{kind=\"redis\"}")).isEqualTo(0.0);
    }

    @Test
    void allocatedBytesCountWhatThreadsAllocateBetweenTwoScrapes() {
        GatewayMetrics metrics = new GatewayMetrics();
        double before = value(metrics.scrape(), "easgate_jvm_allocated_bytes_total");
        byte[][] kept = new byte[64][];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = new byte[64 * 1024]; // 4 MiB in all
        }
        double after = value(metrics.scrape(), "easgate_jvm_allocated_bytes_total");
        assertThat(kept[63]).hasSize(64 * 1024);
        assertThat(after - before).isGreaterThanOrEqualTo(4.0 * 1024 * 1024);
    }

    /** Runs the collector until an object only weakly reachable is gone (a full collection happened). */
    static void collectFully() {
        for (int round = 0; round < 3; round++) {
            WeakReference<Object> canary = new WeakReference<>(new Object());
            for (int i = 0; i < 50 && canary.get() != null; i++) {
                System.gc();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            assertThat(canary.get()).as("a weakly reachable object is collected").isNull();
        }
    }

    /** The value of one sample line of a Prometheus exposition ({@code name{labels} value}), NaN included. */
    static double value(String exposition, String series) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        assertThat(line.find()).as("/metrics has %s in%n%s", series, exposition).isTrue();
        return Double.parseDouble(line.group(1));
    }
}
