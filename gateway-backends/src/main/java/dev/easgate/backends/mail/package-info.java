/**
 * The mail store SPI: a user's folders and items of every EAS class (email as MIME, contacts, calendar, tasks and
 * notes as EAS ApplicationData), with change tracking by a per-folder modification sequence.
 *
 * <p>Two numbers, two roles. An item's <em>version</em> ({@link dev.easgate.backends.mail.ItemVersion#modSeq},
 * {@link dev.easgate.backends.mail.Item#modSeq}) identifies its content on the server: it differs when the content
 * differs, and an equal version means the phone holds the current content. The core keeps the version of every item
 * it sent a device and sends a Change when the store reports another one, whether it is higher or not. A folder's
 * <em>watermark</em> ({@link dev.easgate.backends.mail.FolderChanges#highestModSeq}) is the store's own position in
 * its history of changes, given back to {@link dev.easgate.backends.mail.MailStore#changesSince}; a store that
 * cannot answer from a watermark (not issued by it, too old) says {@code resetRequired}, and the core compares the
 * whole folder by versions. Memory and IMAP stores use one number for both (a counter; UIDVALIDITY tag and the
 * RFC 7162 MODSEQ); the DAV store reports an ETag's hash as the version, the same on every node and after a
 * restart, and keeps its own order of changes for the watermark.
 */
@NonNullApi
package dev.easgate.backends.mail;

import reactor.util.annotation.NonNullApi;
