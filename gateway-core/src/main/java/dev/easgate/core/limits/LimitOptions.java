package dev.easgate.core.limits;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the abuse limits and of the reverse-proxy rules (read with {@code GatewayConfig.number/text}). */
public final class LimitOptions {
    public static final ConfigOption PROXY_TRUSTED = new ConfigOption("proxy.trusted", "",
            "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For / Forwarded headers "
                    + "name the client (e.g. 127.0.0.1/32,10.0.0.0/8); empty: the peer address is the client");
    public static final ConfigOption DEVICE_MAX_CONCURRENT = new ConfigOption("device.max-concurrent", "4",
            "requests one device may have open at once, parked Ping/Sync included (a phone normally holds one "
                    + "Ping and one Sync); beyond it HTTP 503 + Retry-After");
    public static final ConfigOption USER_MAX_CONCURRENT = new ConfigOption("user.max-concurrent", "16",
            "requests all devices of one user may have open at once, parked included; beyond it HTTP 503 + "
                    + "Retry-After");
    public static final ConfigOption LOGIN_DELAY_AFTER = new ConfigOption("login.delay-after", "3",
            "failed logins (per account however its name is spelled, per client address or IPv6 /64, per device) "
                    + "after which every further attempt is delayed, one more second per failure up to "
                    + "login.max-delay; a device that logged in to the account before meets only its own count");
    public static final ConfigOption LOGIN_MAX_DELAY = new ConfigOption("login.max-delay", "10",
            "longest delay in seconds before a throttled login is checked");
    public static final ConfigOption LOGIN_MAX_FAILURES = new ConfigOption("login.max-failures", "10",
            "failed logins (per account, per client address or IPv6 /64, per device) after which logins are "
                    + "refused with HTTP 429 for login.lockout seconds, except a device that logged in to the account "
                    + "before, with the right password; wrong admin API tokens count the same way per address");
    public static final ConfigOption LOGIN_LOCKOUT = new ConfigOption("login.lockout", "300",
            "seconds logins stay refused after login.max-failures; failures older than this are forgotten too");

    public static final ConfigOption SYNC_MAX_RESPONSE_BYTES = new ConfigOption("sync.max-response-bytes",
            "8388608", "largest Sync response in bytes (WBXML, estimated item by item): items past it wait for the "
                    + "next Sync (MoreAvailable); a single larger item is still sent alone");

    public static final List<ConfigOption> ALL = List.of(PROXY_TRUSTED, DEVICE_MAX_CONCURRENT, USER_MAX_CONCURRENT,
            LOGIN_DELAY_AFTER, LOGIN_MAX_DELAY, LOGIN_MAX_FAILURES, LOGIN_LOCKOUT, SYNC_MAX_RESPONSE_BYTES);

    private LimitOptions() {
    }
}
