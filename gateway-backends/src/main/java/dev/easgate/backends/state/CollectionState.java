package dev.easgate.backends.state;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a device holds of one collection after a Sync, and the answer it was given.
 *
 * <p>{@code known} maps each server id the device holds to the version it holds ({@code ItemVersion.modSeq}); with
 * {@code watermark} (the store's position all changes up to which the device has) the next Sync asks the store only
 * for changes after the watermark and sorts them into Add (unknown id), Change (another version) and Delete
 * (vanished known id). The watermark moves only once no change is left pending, so paging by WindowSize never
 * skips one.
 *
 * @param syncKey          the key the device now holds
 * @param watermark        folder modification sequence fully delivered
 * @param known            server id to delivered version
 * @param previousKey      the key of the request that produced this state
 * @param previousResponse the encoded Collection element of that answer, replayed when the request is repeated
 * @param options          the encoded Options the device last sent for this collection (empty: none), reused when a
 *                         later request omits them (MS-ASCMD 2.2.3.124)
 * @param claim            who is applying the client's commands of the request {@code previousKey} while there is no
 *                         answer yet, or {@code null} (a state with an answer, or one written before claims said
 *                         who holds them)
 */
public record CollectionState(String syncKey, long watermark, Map<String, Long> known, String previousKey,
                              byte[] previousResponse, byte[] options, Claim claim) {
    public CollectionState {
        Objects.requireNonNull(syncKey, "syncKey");
        known = Map.copyOf(known);
        Objects.requireNonNull(previousKey, "previousKey");
        Objects.requireNonNull(previousResponse, "previousResponse");
        Objects.requireNonNull(options, "options");
    }

    /** A state nobody holds a claim on. */
    public CollectionState(String syncKey, long watermark, Map<String, Long> known, String previousKey,
                           byte[] previousResponse, byte[] options) {
        this(syncKey, watermark, known, previousKey, previousResponse, options, null);
    }

    /**
     * A claim on the next key: a node is applying a request's commands to the store.
     *
     * @param holder the instance (one run of one node) that took it
     * @param since  when it was taken
     * @param id     names the writes made under the claim; kept when another instance takes the claim over, so
     *               that the store finds the items the first holder added
     */
    public record Claim(String holder, Instant since, String id) {
        public Claim {
            Objects.requireNonNull(holder, "holder");
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(id, "id");
        }
    }
}
