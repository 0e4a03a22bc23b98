/**
 * Item content between the store and the wire: rendering a stored item as the EAS ApplicationData of its class for
 * the client's protocol version and body preferences (MS-ASEMAIL, MS-ASAIRS, MS-ASCNTC, MS-ASCAL, MS-ASTASK,
 * MS-ASNOTE), and reading the ApplicationData a phone sends in a Sync Add or Change.
 *
 * <p>Emails are rendered from their MIME ({@link dev.easgate.core.content.ParsedEmail}); contacts, events, tasks and
 * notes are stored in their EAS form and only filtered for the client ({@link dev.easgate.core.content.PimRenderer}).
 * Attachments are named by a {@link dev.easgate.core.content.AttachmentReference} that ItemOperations resolves later.
 */
package dev.easgate.core.content;
