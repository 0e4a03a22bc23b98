/**
 * Redis backends, for several gateway nodes sharing one Redis (or one Redis Cluster) so that any node can serve any
 * device without sticky sessions: {@link dev.easgate.backends.redis.RedisChangeBus} (per-user pub/sub channels,
 * sharded on a cluster) and {@link dev.easgate.backends.redis.RedisStateStore} (per-device state with atomic sync
 * key transitions). {@link dev.easgate.backends.redis.RedisTarget} parses the {@code --redis} option;
 * {@link dev.easgate.backends.redis.RedisNames} documents every channel and key name, and
 * {@link dev.easgate.backends.bus.ChangePayload} the message format a mail server can publish directly.
 *
 * <p>Every name of a user carries the hash tag {@code {user}}, so that on a cluster a user's channel and all keys of
 * the user's devices live on one slot: Lua scripts stay single-slot and a sharded message travels only to the shard
 * owning that slot.
 */
@NonNullApi
package dev.easgate.backends.redis;

import reactor.util.annotation.NonNullApi;
