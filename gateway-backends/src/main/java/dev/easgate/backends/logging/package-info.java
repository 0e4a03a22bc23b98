/**
 * Writing values that clients or servers control into log lines safely ({@link dev.easgate.backends.logging.LogText}),
 * shared by the backends and the gateway core.
 */
package dev.easgate.backends.logging;
