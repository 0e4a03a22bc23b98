/**
 * Mail over IMAP: a {@link dev.easgate.backends.mail.MailStore} on Angus Mail (CONDSTORE/QRESYNC change tracking,
 * OBJECTID folder ids, SPECIAL-USE folder types, MOVE), {@link dev.easgate.backends.auth.Accounts} checked by IMAP
 * login, a per-user connection pool, and a fallback change watcher for servers that cannot push. Every IMAP call
 * runs on the one bounded blocking scheduler the gateway passes in, never on the caller's thread.
 */
@NonNullApi
package dev.easgate.backends.imap;

import reactor.util.annotation.NonNullApi;
