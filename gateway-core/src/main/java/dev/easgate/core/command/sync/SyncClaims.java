package dev.easgate.core.command.sync;

import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.CollectionState.Claim;
import dev.easgate.backends.state.DeviceKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Claims on a collection's next key, and taking over the claims of a node run that died.
 *
 * <p>A Sync that carries client commands claims the next key before it writes to the store (see
 * {@link CollectionSync}). The claim says who took it: this node run's instance id, made once when the node starts,
 * and when. A retry that finds a claim without an answer takes it over and processes the request again when the
 * holder cannot be working on it any more:
 * <ul>
 *   <li>one node (its own state on disk): a claim of another instance was left by an earlier run of this node,
 *       killed in the middle; it is taken over at once;</li>
 *   <li>several nodes (state in Redis): another instance may be another node still at work, so its claim is taken
 *       over only once it is older than {@link #LEASE}, a bound well above the longest apply;</li>
 *   <li>a claim of this instance is still being worked on, unless it is older than the lease;</li>
 *   <li>a claim written by the release before claims named their holder was left by a node run that has ended
 *       (the node was upgraded): taken over.</li>
 * </ul>
 *
 * <p>Fencing: a claim's stored key is the next key and a token made for each taking ({@code 5/3f2a...}); the answer
 * is stored by a compare-and-set from that exact key. So a holder whose claim was taken over can no longer store its
 * answer: it loses the compare-and-set and replays the answer of the instance that took over.
 *
 * <p>Writes made under a claim are named by the claim's id, which stays the same when the claim is taken over:
 * an Add is written once per device, collection, claim and ClientId ({@link #writeId}), so processing the request
 * again finds the item the first attempt added instead of adding it twice.
 */
final class SyncClaims {
    /** How long a claim of another node (several nodes) is presumed to be still worked on. */
    static final Duration LEASE = Duration.ofMinutes(2);
    private static final char TOKEN = '/';

    private final String instance;
    private final boolean shared;
    private final Clock clock;
    private final Duration lease;

    SyncClaims(String instance, boolean shared, Clock clock, Duration lease) {
        this.instance = instance;
        this.shared = shared;
        this.clock = clock;
        this.lease = lease;
    }

    /** Claims of one node run; {@code shared}: other nodes use the same state store (Redis). */
    static SyncClaims forNode(boolean shared) {
        return new SyncClaims(UUID.randomUUID().toString(), shared, Clock.systemUTC(), LEASE);
    }

    String instance() {
        return instance;
    }

    /**
     * The claim on {@code next}, taken from {@code current} (which holds the key the request was sent with). A
     * state given back by {@link #release} passes on its claim's id, so the request's writes keep their names.
     */
    CollectionState claim(CollectionState current, String next, byte[] options) {
        String id = current.claim() == null ? UUID.randomUUID().toString() : current.claim().id();
        String token = UUID.randomUUID().toString().substring(0, 8);
        return new CollectionState(next + TOKEN + token, current.watermark(), current.known(), current.syncKey(),
                new byte[0], options, new Claim(instance, clock.instant(), id));
    }

    /**
     * The state the claim was taken from, given back so that the request is processed again: the key the request
     * was sent with, and the claim, whose id the next claim takes on (a claim from the release before claims had
     * ids gets a new one: what that release added cannot be found again).
     */
    static CollectionState release(CollectionState claim) {
        Claim held = claim.claim() != null ? claim.claim()
                : new Claim("", Instant.EPOCH, UUID.randomUUID().toString());
        return new CollectionState(claim.previousKey(), claim.watermark(), claim.known(), "", new byte[0],
                claim.options(), held);
    }

    /** {@code state} with the claim's id kept for the next attempt (a failure gave the key back). */
    static CollectionState released(CollectionState state, CollectionState claim) {
        return new CollectionState(state.syncKey(), state.watermark(), state.known(), state.previousKey(),
                state.previousResponse(), state.options(), claim.claim());
    }

    /** The request is processed again: an earlier attempt under the same claim may have written already. */
    static boolean again(CollectionState current) {
        return current.claim() != null;
    }

    /** The holder of this claim (one without an answer) cannot be working on it any more. */
    boolean abandoned(CollectionState claim) {
        Claim held = claim.claim();
        if (held == null) {
            return true;
        }
        boolean expired = held.since().plus(lease).isBefore(clock.instant());
        if (held.holder().equals(instance)) {
            return expired;
        }
        return !shared || expired;
    }

    /** The key the client is given when the claimed request is answered. */
    static String nextKey(CollectionState claim) {
        String key = claim.syncKey();
        int token = key.indexOf(TOKEN);
        return token < 0 ? key : key.substring(0, token);
    }

    /**
     * The name of an Add's write, the same on every attempt of the claimed request (MS-ASCMD 2.2.3.29.1 ClientId:
     * unique for the device's new items; with the claim's id it stays unique when a client reuses ClientIds after
     * starting over from key 0).
     */
    static String writeId(DeviceKey device, String collectionId, CollectionState claim, String clientId) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {device.user(), device.deviceId(), collectionId, claim.claim().id(),
                clientId}) {
                digest.update(part.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
