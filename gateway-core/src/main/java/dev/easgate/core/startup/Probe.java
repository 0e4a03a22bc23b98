package dev.easgate.core.startup;

/**
 * Asks one backend once whether it answers: blocking (run on the probes' own scheduler, never an event loop) and
 * bounded by the deadline it is given.
 */
@FunctionalInterface
public interface Probe {
    /**
     * @param deadline {@link System#nanoTime()} by which to give up
     * @return a few words on what the backend answered, e.g. "IMAP greeting and CAPABILITY"
     * @throws ProbeRefusedException when it answers but refuses (e.g. an IMAP BYE greeting, HTTP 503)
     * @throws Exception             when it cannot be reached or does not answer in time
     */
    String ask(long deadline) throws Exception;
}
