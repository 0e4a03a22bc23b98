package dev.easgate.backends.state;

import java.util.Objects;

/** A device of a user: the EAS {@code User} and {@code DeviceId} query parameters. */
public record DeviceKey(String user, String deviceId) {
    public DeviceKey {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(deviceId, "deviceId");
    }

    @Override
    public String toString() {
        return user + "/" + deviceId;
    }
}
