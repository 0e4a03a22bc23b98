package dev.easgate.bench.device;

import java.net.URI;

/**
 * Who a simulated device is: the server it talks to, its user, password, mail address, and DeviceId.
 *
 * @param server base URL of the EAS server, e.g. {@code http://127.0.0.1:8080}
 */
public record DeviceIdentity(URI server, String user, String password, String address, String deviceId) {

    /** Another device of the same user (a second phone), used to make changes through the protocol. */
    public DeviceIdentity sibling(String suffix) {
        return new DeviceIdentity(server, user, password, address, deviceId + suffix);
    }
}
