package dev.easgate.backends.state;

/**
 * The state store cannot be reached (e.g. Redis is down). Callers answer with HTTP 503 and Retry-After, or carry
 * on without the state where that is safe (a parked Ping), and never treat it as "no state".
 */
public final class StateStoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
