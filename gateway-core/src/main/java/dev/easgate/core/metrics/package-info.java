/** Prometheus metrics of the gateway (Micrometer) and the {@code /metrics} endpoint that exposes them. */
package dev.easgate.core.metrics;
