package dev.easgate.core.connection;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.easgate.core.config.GatewayConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;

/**
 * The front's connection timeouts and limit. A zero timeout means none. {@code maxConnections} is already resolved
 * (never 0).
 */
public record ConnectionPolicy(Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout,
                               int maxConnections) {

    public ConnectionPolicy {
        if (idleTimeout.isNegative() || headerTimeout.isNegative() || bodyTimeout.isNegative()) {
            throw new IllegalArgumentException("http.*-timeout must be 0 or positive");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("http.max-connections must be positive, got " + maxConnections);
        }
    }

    /** Reads the options; {@code http.max-connections=0} becomes {@link #automaticLimit(int)}. */
    public static ConnectionPolicy from(GatewayConfig config) {
        long max = config.number(ConnectionOptions.MAX_CONNECTIONS);
        if (max < 0 || max > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("http.max-connections must be 0 (automatic) or positive, got " + max);
        }
        int limit = max == 0
                ? automaticLimit((int) Math.min(Integer.MAX_VALUE,
                (long) config.parkedMax() + config.maxConcurrentRequests()))
                : (int) max;
        return new ConnectionPolicy(config.seconds(ConnectionOptions.IDLE_TIMEOUT),
                config.seconds(ConnectionOptions.HEADER_TIMEOUT), config.seconds(ConnectionOptions.BODY_TIMEOUT),
                limit);
    }

    /**
     * The file descriptors this process has free now (its open-file limit minus those already open: class path,
     * logs, state files) less a reserve of a quarter of them, at least 100 (at most half), for what opens later:
     * event loops, backend connections (IMAP, SMTP, Redis, DAV), and the connections accepted in one burst before the
     * idle ones they displace are closed. At most {@code cap}: beyond the requests that can be in progress at once,
     * more connections can only be idle ones.
     */
    static int automaticLimit(int cap) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
            long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
            long reserve = Math.min(free / 2, Math.max(free / 4, 100));
            return (int) Math.max(1, Math.min(cap, free - reserve));
        }
        return Math.max(1, cap);
    }
}
