package dev.easgate.core.connection;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.easgate.core.config.GatewayConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * The front's connection timeouts and limit. A zero timeout means none. {@code maxConnections} is already resolved
 * (never 0). {@code acceptBacklog} is what the EAS port asks the kernel for (see {@link #kernelBacklogLimit()}).
 */
public record ConnectionPolicy(Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout,
                               int maxConnections, int acceptBacklog) {

    public ConnectionPolicy {
        if (idleTimeout.isNegative() || headerTimeout.isNegative() || bodyTimeout.isNegative()) {
            throw new IllegalArgumentException("http.*-timeout must be 0 or positive");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("http.max-connections must be positive, got " + maxConnections);
        }
        if (acceptBacklog < 1) {
            throw new IllegalArgumentException("http.accept-backlog must be positive, got " + acceptBacklog);
        }
    }

    /**
     * Descriptors the automatic limit keeps beyond the client connections and the backends' pools, whatever the
     * backend: the event loops' epoll, event and timer descriptors, Redis (bus, state, its reconnects), DAV, LDAP and
     * SMTP relay connections, log files rolling over, {@code /proc} reads for the metrics, a GC log or a flight
     * recording, and the connections accepted and not yet closed again ({@link ConnectionGuard} pauses accepting
     * while 32 evictions are in flight).
     */
    static final int RESERVE = 256;

    /** Reads the options with no backend pool to keep room for (see {@link #from(GatewayConfig, int)}). */
    public static ConnectionPolicy from(GatewayConfig config) {
        return from(config, 0);
    }

    /**
     * Reads the options; {@code http.max-connections=0} becomes {@link #automaticLimit(int, int)}, keeping room for
     * {@code backendConnections}, the most connections the node's backends open at once (IMAP pool, SMTP).
     */
    public static ConnectionPolicy from(GatewayConfig config, int backendConnections) {
        long max = config.number(ConnectionOptions.MAX_CONNECTIONS);
        if (max < 0 || max > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("http.max-connections must be 0 (automatic) or positive, got " + max);
        }
        int limit = max == 0
                ? automaticLimit((int) Math.min(Integer.MAX_VALUE,
                (long) config.parkedMax() + config.maxConcurrentRequests()), backendConnections)
                : (int) max;
        long backlog = config.number(ConnectionOptions.ACCEPT_BACKLOG);
        if (backlog < 1 || backlog > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("http.accept-backlog must be positive, got " + backlog);
        }
        return new ConnectionPolicy(config.seconds(ConnectionOptions.IDLE_TIMEOUT),
                config.seconds(ConnectionOptions.HEADER_TIMEOUT), config.seconds(ConnectionOptions.BODY_TIMEOUT),
                limit, (int) backlog);
    }

    /**
     * The most a listening socket's backlog can be on this machine ({@code net.core.somaxconn}; listen(2) silently
     * cuts a larger one to it), or empty when it cannot be read (not Linux, or /proc hidden).
     */
    public static OptionalInt kernelBacklogLimit() {
        // line by line: Files.readString gets only the first byte of a /proc/sys file (its size reads as 0)
        try (BufferedReader reader = Files.newBufferedReader(SOMAXCONN)) {
            return OptionalInt.of(Integer.parseInt(reader.readLine().strip()));
        } catch (IOException | RuntimeException unreadable) {
            return OptionalInt.empty();
        }
    }

    private static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    /**
     * The file descriptors this process has free now (its open-file limit minus those already open: class path,
     * logs, the state store's database and journal) less a reserve: {@link #RESERVE} for what any node opens later
     * plus {@code backendConnections}, at most half of the free ones (a tiny limit still serves clients). At most
     * {@code cap}: beyond the requests that can be in progress at once, more connections can only be idle ones.
     * A fixed reserve rather than a share: client connections are what a push gateway holds by the thousand, and
     * everything else it opens is bounded by its configuration, not by the number of devices.
     */
    static int automaticLimit(int cap, int backendConnections) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
            long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
            return limitFor(cap, free, backendConnections);
        }
        return Math.max(1, cap);
    }

    /** {@link #automaticLimit} for {@code free} descriptors. */
    static int limitFor(int cap, long free, int backendConnections) {
        long reserve = Math.min(free / 2, (long) RESERVE + Math.max(0, backendConnections));
        return (int) Math.max(1, Math.min(cap, free - reserve));
    }
}
