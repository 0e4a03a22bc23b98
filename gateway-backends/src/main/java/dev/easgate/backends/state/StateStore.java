package dev.easgate.backends.state;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Per-device state. Sync key transitions are compare-and-set: two nodes (or two racing requests) that both try to
 * advance the same key cannot both succeed, and the loser learns it and answers without applying anything.
 * Asynchronous; never blocks the caller's thread.
 */
public interface StateStore {

    Mono<DeviceRecord> device(DeviceKey key);

    Mono<Void> putDevice(DeviceRecord device);

    /** Every device of a user. */
    Flux<DeviceRecord> devices(String user);

    /** Forgets a device and all its state. */
    Mono<Void> removeDevice(DeviceKey key);

    Mono<HierarchyState> hierarchy(DeviceKey key);

    /**
     * Stores {@code next} if the stored state's key is {@code expectedKey}, or if {@code expectedKey} is
     * {@code null} (a FolderSync with key 0 starts afresh, whatever was there). Emits whether it was stored.
     */
    Mono<Boolean> replaceHierarchy(DeviceKey key, String expectedKey, HierarchyState next);

    Mono<CollectionState> collection(DeviceKey key, String collectionId);

    /**
     * Stores {@code next} if the stored state's key is {@code expectedKey}, or if {@code expectedKey} is
     * {@code null} (a Sync with key 0 starts afresh, whatever was there). Emits whether it was stored.
     */
    Mono<Boolean> replaceCollection(DeviceKey key, String collectionId, String expectedKey, CollectionState next);

    /** Forgets one collection's state (the device must sync it from key 0 again). */
    Mono<Void> removeCollection(DeviceKey key, String collectionId);

    /** Forgets every collection's and the hierarchy's state of a device (a full resync), keeping the device. */
    Mono<Void> resetSyncState(DeviceKey key);

    /** A small named value of a device, e.g. the last Sync or Ping request; empty when absent. */
    Mono<byte[]> value(DeviceKey key, String name);

    Mono<Void> putValue(DeviceKey key, String name, byte[] value);

    /** Forgets one named value of a device (nothing happens when it is absent). */
    Mono<Void> removeValue(DeviceKey key, String name);

    /**
     * A small named value of a user, shared by all their devices (e.g. the policy an administrator assigned);
     * empty when absent. Kept apart from the devices: removing a device does not touch it.
     */
    Mono<byte[]> userValue(String user, String name);

    Mono<Void> putUserValue(String user, String name, byte[] value);

    /** Forgets one named value of a user (nothing happens when it is absent). */
    Mono<Void> removeUserValue(String user, String name);
}
