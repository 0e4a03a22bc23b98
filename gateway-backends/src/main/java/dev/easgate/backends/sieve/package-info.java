/**
 * Out of Office through Sieve: a blocking ManageSieve client (RFC 5804), the vacation script the gateway writes
 * and reads back (RFC 5230 vacation, RFC 5260 dates, RFC 6609 include to keep the user's own rules), and the
 * {@link dev.easgate.backends.oof.OutOfOfficeStore} made of them, which runs on the bounded blocking scheduler.
 */
package dev.easgate.backends.sieve;
