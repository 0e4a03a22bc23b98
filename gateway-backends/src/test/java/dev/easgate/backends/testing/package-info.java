/** What the tests that start real servers (Redis, Dovecot, Radicale, OpenLDAP) share: loopback ports and waiting. */
package dev.easgate.backends.testing;
