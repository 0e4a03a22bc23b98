/**
 * Mail delivery into the memory backend over LMTP (RFC 2033), as an MTA hands mail to a mail store: the demo's
 * Inboxes change the way a real store's do, and the change reaches parked devices through the change bus like any
 * other write. Off unless {@code memory.lmtp-port} is set; for demos and load tests (eas-bench wake).
 */
package dev.easgate.core.lmtp;
