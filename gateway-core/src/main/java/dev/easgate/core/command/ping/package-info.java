/**
 * The Ping command (MS-ASCMD 2.2.1.13): validation of the heartbeat and folder list, reuse of the last Ping when a
 * request omits them, and parking on the heartbeat hub until a watched folder holds something for the device (the
 * rule of {@link dev.easgate.core.command.sync.PendingChanges}, shared with Sync and GetItemEstimate) or the
 * heartbeat ends.
 */
package dev.easgate.core.command.ping;
