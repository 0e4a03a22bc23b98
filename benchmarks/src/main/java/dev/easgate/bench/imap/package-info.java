/**
 * {@code eas-bench imap-push}: what push from a stock IMAP server costs that server per parked user. A real Dovecot
 * with N users and its stock limits, a counting TCP proxy between the gateway and Dovecot, one gateway node with
 * {@code --backend=imap}, N simulated phones parked, mail delivered over LMTP and the wake measured.
 */
package dev.easgate.bench.imap;
