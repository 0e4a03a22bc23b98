/**
 * Health for load balancers and supervisors: the node's readiness (starting, ready, draining) and the
 * unauthenticated {@code /healthz} and {@code /readyz} answers on the EAS port.
 */
package dev.easgate.core.health;
