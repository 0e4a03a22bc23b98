/** Logging: per-device debug switches, structured (JSON) log setup, and the request context of log lines. */
package dev.easgate.core.logging;
