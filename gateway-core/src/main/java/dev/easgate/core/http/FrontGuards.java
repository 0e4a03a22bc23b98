package dev.easgate.core.http;

import dev.easgate.core.limits.ConcurrencyLimits;
import dev.easgate.core.limits.LoginThrottle;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.core.limits.TrustedProxies;
import dev.easgate.wbxml.WbxmlElement;
import java.time.Clock;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * What the EAS front checks beyond the protocol, supplied by the composition root: where a request comes from
 * (reverse proxies), failed-login throttling, blocked devices, requests open per device and user, per-device
 * debug logging of requests and responses, and whether a provisioned device still holds the user's policy.
 */
public record FrontGuards(TrustedProxies proxies, LoginThrottle logins, DeviceBlocks blocks,
                          ConcurrencyLimits concurrency, RequestDebug debug, CurrentPolicy policy) {

    /** Decides whether a provisioned device still holds the policy its user should have (policy sets). */
    public interface CurrentPolicy {
        CurrentPolicy ANY = device -> Mono.just(true);

        /** False when the device must provision again to get the user's (changed) policy. */
        Mono<Boolean> current(DeviceRecord device);
    }

    /** Decides whether a device may use the gateway (an administrator's block list). */
    public interface DeviceBlocks {
        DeviceBlocks NONE = (user, deviceId, deviceType, userAgent) -> null;

        /** Why the device is blocked (e.g. "device type X"), or null when it is not. */
        String blocked(String user, String deviceId, String deviceType, String userAgent);
    }

    /** Logs the requests and responses of the devices an administrator switched debugging on for. */
    public interface RequestDebug {
        RequestDebug NONE = new RequestDebug() {
            @Override
            public boolean enabled(String user, String deviceId) {
                return false;
            }

            @Override
            public void log(String user, String deviceId, String command, String direction, WbxmlElement body) {
            }
        };

        boolean enabled(String user, String deviceId);

        /** Logs one request ("request") or response ("response") document; never throws. */
        void log(String user, String deviceId, String command, String direction, WbxmlElement body);
    }

    /** No proxies trusted, generous limits, nothing blocked, no debugging: what tests of the protocol want. */
    public static FrontGuards permissive() {
        return new FrontGuards(TrustedProxies.NONE,
                new LoginThrottle(Integer.MAX_VALUE, Duration.ZERO, Integer.MAX_VALUE, Duration.ofSeconds(1),
                        Clock.systemUTC()),
                DeviceBlocks.NONE, new ConcurrencyLimits(Integer.MAX_VALUE, Integer.MAX_VALUE), RequestDebug.NONE,
                CurrentPolicy.ANY);
    }
}
