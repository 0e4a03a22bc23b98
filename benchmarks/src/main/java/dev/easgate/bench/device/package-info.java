/**
 * A simulated phone speaking Exchange ActiveSync over HTTP with the project's WBXML codec: the first-sync flow
 * (OPTIONS, two-phase Provision, FolderSync, Sync 0, Sync) and the Ping loop, on a shared Reactor Netty client with
 * no thread per device. Protocol only: works against any EAS server.
 */
package dev.easgate.bench.device;
