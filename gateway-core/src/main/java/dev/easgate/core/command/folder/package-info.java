/**
 * The folder hierarchy commands of MS-ASCMD: FolderSync (2.2.1.5), FolderCreate (2.2.1.3), FolderUpdate (2.2.1.6)
 * and FolderDelete (2.2.1.4). {@link dev.easgate.core.command.folder.FolderHierarchy} holds what they share: sync
 * key checks and advances, the device's folder list, and the difference between two lists.
 */
package dev.easgate.core.command.folder;
