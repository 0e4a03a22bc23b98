package dev.easgate.core.heartbeat;

import dev.easgate.backends.state.DeviceKey;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * What a parked request waits for.
 *
 * @param command    the parked command (Ping or Sync), for metrics
 * @param device     the device (one parked request per device across the cluster)
 * @param folderIds  the folders (collections) whose changes wake it
 * @param heartbeat  how long to wait at most
 * @param checkStore run once the bus delivers to the park: the watched folders that already changed (empty: none).
 *                   Checking after subscribing is what makes a change between check and park impossible to lose.
 */
public record ParkRequest(String command, DeviceKey device, Set<String> folderIds, Duration heartbeat,
                          Mono<Set<String>> checkStore) {
    public ParkRequest {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(device, "device");
        folderIds = Set.copyOf(folderIds);
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(checkStore, "checkStore");
    }
}
