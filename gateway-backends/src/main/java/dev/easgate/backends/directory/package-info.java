/**
 * The directory (global address list) SPI and its implementations: {@link dev.easgate.backends.directory.MemoryDirectory}
 * (the demo accounts and a seeded company list) and {@link dev.easgate.backends.directory.LdapDirectory} (any LDAP
 * server, with a configurable attribute mapping); and {@link dev.easgate.backends.directory.Memberships}, a user's
 * groups and one attribute, read from LDAP by {@link dev.easgate.backends.directory.LdapMemberships}.
 */
package dev.easgate.backends.directory;
