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
     * Three quarters of the file descriptors this process has free now (its open-file limit minus those already
     * open: class path, logs, state files), leaving the rest to backend connections (IMAP, SMTP, Redis, DAV) that open
     * later; at most {@code cap}: beyond the requests that can be in progress at once, more connections can only be
     * idle ones.
     */
    static int automaticLimit(int cap) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
            long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
            return (int) Math.max(1, Math.min(cap, free * 3 / 4));
        }
        return Math.max(1, cap);
    }
}
