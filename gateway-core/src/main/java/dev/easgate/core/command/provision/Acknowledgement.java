package dev.easgate.core.command.provision;

import java.nio.ByteBuffer;

/**
 * The last acknowledgement a device made (MS-ASPROV 3.2.5.1.2.1): the temporary key it acknowledged and the final
 * key it was given. Kept in the device's state values, written before the final key, so that an acknowledgement
 * repeated because its answer was lost (the node died before answering) gets the same final key again instead of
 * Policy Status 5 and a new round of provisioning.
 *
 * @param temporary the pending key the device acknowledged
 * @param issued    the final key it was given for it
 */
record Acknowledgement(long temporary, long issued) {
    /** The state value's name. */
    static final String VALUE = "provision.acknowledgement";

    byte[] encode() {
        return ByteBuffer.allocate(16).putLong(temporary).putLong(issued).array();
    }

    /** The stored acknowledgement, or {@code null} when none (or not readable) was stored. */
    static Acknowledgement decode(byte[] bytes) {
        if (bytes == null || bytes.length != 16) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new Acknowledgement(buffer.getLong(), buffer.getLong());
    }

    /** {@code key} repeats this acknowledgement and its final key is still the device's. */
    boolean repeatedBy(String key, long policyKey) {
        return key.equals(Long.toString(temporary)) && policyKey == issued;
    }
}
