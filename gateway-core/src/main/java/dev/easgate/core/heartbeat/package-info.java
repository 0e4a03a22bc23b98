/**
 * The heartbeat hub: parks Ping and long Sync requests as subscriptions on the change bus, holding no thread,
 * and wakes each on the first of a matching change, heartbeat expiry, a newer request of the same device, or
 * node drain.
 */
@NonNullApi
package dev.easgate.core.heartbeat;

import reactor.util.annotation.NonNullApi;
