/** GetAttachment (MS-ASCMD 2.2.1.7) for 2.5 and 12.x clients. */
package dev.easgate.core.command.attachment;
