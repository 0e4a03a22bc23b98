package dev.easgate.core.connection;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the front's connection timeouts and limit (read into a {@link ConnectionPolicy}). */
public final class ConnectionOptions {
    public static final ConfigOption IDLE_TIMEOUT = new ConfigOption("http.idle-timeout", "120",
            "seconds a connection with no request in progress stays open (keep-alive between requests, or a client "
                    + "that connects and sends nothing); 0: never closed for idleness. Requests in progress, parked "
                    + "Ping/Sync included, are not affected");
    public static final ConfigOption HEADER_TIMEOUT = new ConfigOption("http.header-timeout", "30",
            "seconds from a request's first byte to the end of its headers; past it the connection is closed "
                    + "(a slowly trickling client); 0: no limit");
    public static final ConfigOption BODY_TIMEOUT = new ConfigOption("http.body-timeout", "60",
            "seconds a request body may go without a single byte arriving; past it the connection is closed. A slow "
                    + "upload that keeps moving is never cut; 0: no limit");
    public static final ConfigOption MAX_CONNECTIONS = new ConfigOption("http.max-connections", "0",
            "client connections open at once on this node; at the limit the longest idle connection (no request in "
                    + "progress) is closed to admit a new one, and a new one is refused only when every connection "
                    + "has a request in progress. 0: the file descriptors free at start less a reserve of 256 (event "
                    + "loops, Redis, DAV, LDAP, logs, accepts not yet closed) plus, with backend=imap, imap.pool-max "
                    + "and imap.threads (SMTP), the reserve at most half of the free ones; at most parked.max + "
                    + "request.max-concurrent. With ulimit -n 20000 that is about 19,600");

    public static final ConfigOption ACCEPT_BACKLOG = new ConfigOption("http.accept-backlog", "65535",
            "connections the kernel completes and queues for the node before it accepts them (the listen(2) "
                    + "backlog). Linux caps it at net.core.somaxconn (4096 since kernel 5.4) and drops the SYNs of "
                    + "a burst beyond it (phones retry after 1, 3, 7 s); raise that sysctl and "
                    + "net.ipv4.tcp_max_syn_backlog for a node that takes reconnect storms of more phones");

    public static final List<ConfigOption> ALL = List.of(IDLE_TIMEOUT, HEADER_TIMEOUT, BODY_TIMEOUT, MAX_CONNECTIONS,
            ACCEPT_BACKLOG);

    private ConnectionOptions() {
    }
}
