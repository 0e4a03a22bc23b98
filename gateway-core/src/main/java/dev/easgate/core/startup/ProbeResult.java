package dev.easgate.core.startup;

/**
 * How one probe ended.
 *
 * @param target   the backend
 * @param answered whether it answers as a server that serves
 * @param detail   what it answered, or why not (already safe to log)
 * @param millis   how long the probe took
 */
public record ProbeResult(ProbeTarget target, boolean answered, String detail, long millis) {
}
