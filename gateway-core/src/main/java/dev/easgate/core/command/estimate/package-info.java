/**
 * The GetItemEstimate command (MS-ASCMD 2.2.1.9): per collection, how many changes a Sync would send the device
 * now, counted by the same diff engine as Sync ({@link dev.easgate.core.command.sync.SyncDiff}) without moving
 * any state.
 */
package dev.easgate.core.command.estimate;
