package dev.easgate.backends.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the gateway knows of a device.
 *
 * @param key             user and device id
 * @param deviceType      the DeviceType query parameter
 * @param userAgent       the last User-Agent header
 * @param protocolVersion the last MS-ASProtocolVersion
 * @param model           Settings DeviceInformation Model, or ""
 * @param os              Settings DeviceInformation OS, or ""
 * @param friendlyName    Settings DeviceInformation FriendlyName, or ""
 * @param policyKey       the policy key the device acknowledged (0: none yet)
 * @param pendingPolicyKey the key handed out in phase one of Provision, awaiting acknowledgement (0: none)
 * @param wipe            remote wipe state (MS-ASPROV)
 * @param firstSeen       first request
 * @param lastSync        last Sync, or {@code null}
 * @param lastPing        last Ping, or {@code null}
 */
public record DeviceRecord(DeviceKey key, String deviceType, String userAgent, String protocolVersion,
                           String model, String os, String friendlyName,
                           long policyKey, long pendingPolicyKey, WipeState wipe,
                           Instant firstSeen, Instant lastSync, Instant lastPing) {
    /** How finely last Sync and last Ping are kept. */
    public static final Duration ACTIVITY_STEP = Duration.ofMinutes(1);

    /** Remote wipe (MS-ASPROV 3.1.5.2): requested by an admin, sent on Provision, acknowledged by the device. */
    public enum WipeState {
        NONE,
        /** A full device wipe is requested: the next Provision answers RemoteWipe. */
        WIPE_REQUESTED,
        /** An account-only wipe is requested (16.1 AccountOnlyRemoteWipe). */
        ACCOUNT_WIPE_REQUESTED,
        /** The device acknowledged the full wipe. */
        WIPE_ACKNOWLEDGED,
        /** The device acknowledged the account-only wipe. */
        ACCOUNT_WIPE_ACKNOWLEDGED
    }

    public DeviceRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(deviceType, "deviceType");
        Objects.requireNonNull(userAgent, "userAgent");
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(friendlyName, "friendlyName");
        Objects.requireNonNull(wipe, "wipe");
        Objects.requireNonNull(firstSeen, "firstSeen");
    }

    public static DeviceRecord first(DeviceKey key, String deviceType, String userAgent, String protocolVersion,
                                     Instant now) {
        return new DeviceRecord(key, deviceType, userAgent, protocolVersion, "", "", "", 0, 0, WipeState.NONE,
                now, null, null);
    }

    public DeviceRecord withClient(String type, String agent, String version) {
        return new DeviceRecord(key, type, agent, version, model, os, friendlyName, policyKey, pendingPolicyKey,
                wipe, firstSeen, lastSync, lastPing);
    }

    public DeviceRecord withInformation(String newModel, String newOs, String newFriendlyName) {
        return new DeviceRecord(key, deviceType, userAgent, protocolVersion, newModel, newOs, newFriendlyName,
                policyKey, pendingPolicyKey, wipe, firstSeen, lastSync, lastPing);
    }

    public DeviceRecord withPolicyKeys(long acknowledged, long pending) {
        return new DeviceRecord(key, deviceType, userAgent, protocolVersion, model, os, friendlyName, acknowledged,
                pending, wipe, firstSeen, lastSync, lastPing);
    }

    public DeviceRecord withWipe(WipeState state) {
        return new DeviceRecord(key, deviceType, userAgent, protocolVersion, model, os, friendlyName, policyKey,
                pendingPolicyKey, state, firstSeen, lastSync, lastPing);
    }

    /**
     * Whether a last-Sync or last-Ping time {@code at} is worth writing over the kept one: they are kept to the
     * minute (for the admin listing), so a device that Pings and Syncs every few seconds costs the state store one
     * write a minute for them instead of one per request.
     */
    public static boolean activityWorthWriting(Instant kept, Instant at) {
        return kept == null || at.isBefore(kept) || !at.isBefore(kept.plus(ACTIVITY_STEP));
    }

    public DeviceRecord withLastSync(Instant at) {
        return new DeviceRecord(key, deviceType, userAgent, protocolVersion, model, os, friendlyName, policyKey,
                pendingPolicyKey, wipe, firstSeen, at, lastPing);
    }

    public DeviceRecord withLastPing(Instant at) {
        return new DeviceRecord(key, deviceType, userAgent, protocolVersion, model, os, friendlyName, policyKey,
                pendingPolicyKey, wipe, firstSeen, lastSync, at);
    }
}
