/**
 * The HTTP front's connections: how long one may sit idle, wait for request headers or stall in a request body, how
 * many may be open at once, and what happens when the process runs out of file descriptors. Requests in progress
 * (a parked Ping or Sync, a download) are never cut here.
 */
package dev.easgate.core.connection;
