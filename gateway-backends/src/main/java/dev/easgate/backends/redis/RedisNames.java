package dev.easgate.backends.redis;

import dev.easgate.backends.state.DeviceKey;

/**
 * Every Redis name the gateway uses. A user's names share the hash tag {@code {<user>}}: on a Redis Cluster they map
 * to one slot, so scripts over several of a user's keys are single-slot and a user's change channel lives on the
 * shard that also holds the user's keys.
 *
 * <ul>
 *   <li>{@code easgate:{<user>}:changes}: the user's change channel (PUBLISH/SUBSCRIBE; SPUBLISH/SSUBSCRIBE on a
 *       cluster), carrying {@link dev.easgate.backends.bus.ChangePayload} messages</li>
 *   <li>{@code easgate:{<user>}:devices}: set of the user's device ids that have a device record</li>
 *   <li>{@code easgate:{<user>}:dev:<deviceId>}: hash of everything stored for one device (fields in
 *       {@link RedisStateStore})</li>
 *   <li>{@code easgate:{<user>}:user}: hash of the user's named values ({@code v:<name>}), such as the policy an
 *       administrator assigned</li>
 *   <li>{@code easgate:login:{<key>}}: hash of the failed logins counted under an account ({@code u:<account>}),
 *       a client address ({@code a:<address or IPv6 /64>}), a device ({@code d:<account>\0<deviceId>}) or the
 *       admin API's wrong tokens of an address ({@code admin:a:<address>}), expiring by itself</li>
 * </ul>
 * The user and device id are used verbatim (EAS user names may contain {@code @}, {@code \} and {@code .}); the
 * device id is the last component of its key, so no two devices share a key whatever their ids contain.
 */
public final class RedisNames {
    static final String PREFIX = "easgate:{";
    private static final String CHANGES_SUFFIX = "}:changes";

    private RedisNames() {
    }

    /** The change channel of a user: {@code easgate:{<user>}:changes}. */
    public static String changeChannel(String user) {
        return PREFIX + user + CHANGES_SUFFIX;
    }

    /** The user of a change channel, or {@code null} when the name is not one. */
    static String userOfChangeChannel(String channel) {
        if (channel.length() <= PREFIX.length() + CHANGES_SUFFIX.length() || !channel.startsWith(PREFIX)
                || !channel.endsWith(CHANGES_SUFFIX)) {
            return null;
        }
        return channel.substring(PREFIX.length(), channel.length() - CHANGES_SUFFIX.length());
    }

    /** The set of a user's device ids: {@code easgate:{<user>}:devices}. */
    public static String devices(String user) {
        return PREFIX + user + "}:devices";
    }

    /** The hash of one device's state: {@code easgate:{<user>}:dev:<deviceId>}. */
    public static String device(DeviceKey key) {
        return PREFIX + key.user() + "}:dev:" + key.deviceId();
    }

    /** The hash of a user's named values: {@code easgate:{<user>}:user}. */
    public static String user(String user) {
        return PREFIX + user + "}:user";
    }

    /** The failed-login record of an account, address or device key: {@code easgate:login:{<key>}}. */
    public static String loginFailures(String key) {
        return "easgate:login:{" + key + "}";
    }
}
