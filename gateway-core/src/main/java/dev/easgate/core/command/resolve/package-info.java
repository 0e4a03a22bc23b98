/** ResolveRecipients (MS-ASCMD 2.2.1.15): directory and contacts, free/busy, certificates, pictures. */
package dev.easgate.core.command.resolve;
