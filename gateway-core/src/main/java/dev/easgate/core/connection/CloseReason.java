package dev.easgate.core.connection;

/** Why the gateway closed a client connection; {@link #tag()} is the metric's {@code reason} label. */
public enum CloseReason {
    /** No request in progress for {@code http.idle-timeout}. */
    IDLE("idle", "no request for"),
    /** Request headers begun but not complete within {@code http.header-timeout}. */
    HEADER_TIMEOUT("header-timeout", "request headers incomplete after"),
    /** A request body with no byte arriving for {@code http.body-timeout}. */
    BODY_TIMEOUT("body-timeout", "request body stalled for"),
    /** Closed while idle to admit a new connection at {@code http.max-connections}. */
    EVICTED("evicted", "idle, closed to admit a new connection at http.max-connections"),
    /** A new connection refused at {@code http.max-connections}: every open one had a request in progress. */
    REFUSED("refused", "refused at http.max-connections: every connection has a request in progress");

    private final String tag;
    private final String description;

    CloseReason(String tag, String description) {
        this.tag = tag;
        this.description = description;
    }

    public String tag() {
        return tag;
    }

    String description() {
        return description;
    }
}
