package dev.easgate.backends.state;

import java.util.Map;
import java.util.Objects;

/**
 * What a device holds of one collection after a Sync, and the answer it was given.
 *
 * <p>{@code known} maps each server id the device holds to the modification sequence it holds it at; with
 * {@code watermark} (the folder sequence all changes up to which the device has) the next Sync asks the store only
 * for changes after the watermark and sorts them into Add (unknown id), Change (newer sequence) and Delete
 * (vanished known id). The watermark moves only once no change is left pending, so paging by WindowSize never
 * skips one.
 *
 * @param syncKey          the key the device now holds
 * @param watermark        folder modification sequence fully delivered
 * @param known            server id to delivered modification sequence
 * @param previousKey      the key of the request that produced this state
 * @param previousResponse the encoded Collection element of that answer, replayed when the request is repeated
 * @param options          the encoded Options the device last sent for this collection (empty: none), reused when a
 *                         later request omits them (MS-ASCMD 2.2.3.124)
 */
public record CollectionState(String syncKey, long watermark, Map<String, Long> known, String previousKey,
                              byte[] previousResponse, byte[] options) {
    public CollectionState {
        Objects.requireNonNull(syncKey, "syncKey");
        known = Map.copyOf(known);
        Objects.requireNonNull(previousKey, "previousKey");
        Objects.requireNonNull(previousResponse, "previousResponse");
        Objects.requireNonNull(options, "options");
    }
}
