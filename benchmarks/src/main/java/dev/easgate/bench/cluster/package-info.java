/**
 * The processes of a run and their measurement: Redis and K gateway nodes started on loopback (and always stopped),
 * generator workers (forked JVMs, or threads in tests), resident memory from /proc, the gateway's /metrics, and the
 * loopback-only rule for targets.
 */
package dev.easgate.bench.cluster;
