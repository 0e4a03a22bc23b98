/**
 * The Ping command (MS-ASCMD 2.2.1.13): validation of the heartbeat and folder list, reuse of the last Ping when a
 * request omits them, and the check of which monitored folders changed
 * ({@link dev.easgate.core.command.ping.FolderChangeCheck}, shared with the heartbeat hub). Ping is answered at once
 * for now; parking it until a change or the heartbeat is the hub's business.
 */
package dev.easgate.core.command.ping;
