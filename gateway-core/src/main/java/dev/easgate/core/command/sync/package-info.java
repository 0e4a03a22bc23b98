/**
 * The Sync command (MS-ASCMD 2.2.1.21): request parsing ({@link dev.easgate.core.command.sync.SyncRequestParser}),
 * collection options, the per-collection diff engine ({@link dev.easgate.core.command.sync.SyncDiff}) over the
 * store's change listing and the device's {@link dev.easgate.backends.state.CollectionState}, the client's commands
 * ({@link dev.easgate.core.command.sync.ClientCommandApplier}), one collection's exchange with its sync-key
 * compare-and-set ({@link dev.easgate.core.command.sync.CollectionSync}) and the handler that ties them together.
 */
package dev.easgate.core.command.sync;
