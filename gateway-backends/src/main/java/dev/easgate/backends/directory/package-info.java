/**
 * The directory (global address list) SPI and its implementations: {@link dev.easgate.backends.directory.MemoryDirectory}
 * (the demo accounts and a seeded company list) and {@link dev.easgate.backends.directory.LdapDirectory} (any LDAP
 * server, with a configurable attribute mapping).
 */
package dev.easgate.backends.directory;
