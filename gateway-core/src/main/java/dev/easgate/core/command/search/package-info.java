/**
 * Search (MS-ASCMD 2.2.1.16) over the GAL and the mailbox, the mailbox search engine shared with Find, the GAL
 * property writer shared with Find and ResolveRecipients, and the directory options.
 */
package dev.easgate.core.command.search;
