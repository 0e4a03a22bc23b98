/** Find (MS-ASCMD 2.2.1.2, 16.1): mailbox and GAL search with paging by Range. */
package dev.easgate.core.command.find;
