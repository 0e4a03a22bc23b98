package dev.easgate.core.policy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Which policy a device holds under a policy key: kept in the device's state values when Provision offers a policy
 * (under the temporary key) and when the device acknowledges it (under the final key), so any node can tell
 * whether the device's policy is still the one the user should have.
 *
 * @param key         the policy key (MS-ASPROV 2.2.2.42) the policy was handed out under
 * @param fingerprint the {@link PolicySet#fingerprint()}
 */
public record DevicePolicy(long key, String fingerprint) {
    /** The value offered in phase one of Provision, under the temporary key. */
    public static final String OFFERED = "policy.offered";
    /** The value acknowledged in phase two, under the final key. */
    public static final String ACKNOWLEDGED = "policy.acknowledged";

    public byte[] encode() {
        byte[] text = fingerprint.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + text.length).putLong(key).put(text).array();
    }

    /** The stored value, or {@code null} when none (or not readable) was stored. */
    public static DevicePolicy decode(byte[] bytes) {
        if (bytes == null || bytes.length < 9) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long key = buffer.getLong();
        return new DevicePolicy(key, new String(bytes, 8, bytes.length - 8, StandardCharsets.UTF_8));
    }

    /** The set's name. */
    public String setName() {
        return PolicySet.nameOf(fingerprint);
    }
}
