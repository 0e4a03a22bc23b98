/**
 * The ItemOperations command (MS-ASCMD 2.2.1.10): Fetch of a mailbox item or of an attachment by its FileReference
 * (inline base64 Data, or a multipart response, 2.2.1.10.1), EmptyFolderContents, and the conversation Move of
 * 14.0+ (answered as unsupported).
 */
package dev.easgate.core.command.itemops;
