package dev.easgate.core.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway's configuration: an immutable, validated value. Build it with {@link ConfigLoader} from a file,
 * the environment and the command line, or with {@link #from(Map)} in tests.
 */
public record GatewayConfig(String bind, int port, String backend, String redis, String pushToken,
                            String memoryPassword, String memoryDomain,
                            String demoPassword, Duration heartbeatMin, Duration heartbeatMax, int pingMaxFolders,
                            long maxRequestBytes, int maxConcurrentRequests, Duration retryAfter,
                            boolean provisionRequired, Map<String, String> policy, int syncMaxWindowSize,
                            int wbxmlMaxDepth, int wbxmlMaxElements, boolean metricsPublic, int parkedMax,
                            int devicesMaxPerUser, Duration shutdownGrace, Map<String, String> values) {

    public static final GatewayConfig DEFAULT = from(Map.of());

    public GatewayConfig {
        Objects.requireNonNull(bind, "bind");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (!redis.isEmpty() && !redis.startsWith("redis://") && !redis.startsWith("rediss://")
                && !redis.startsWith("redis-cluster://")) {
            throw new IllegalArgumentException("redis must be redis://host:port or redis-cluster://host:port,..., got '"
                    + redis + "'");
        }
        if (!backend.equals("memory") && !backend.equals("imap")) {
            throw new IllegalArgumentException("backend must be 'memory' or 'imap', got '" + backend + "'");
        }
        if (heartbeatMin.isNegative() || heartbeatMin.compareTo(heartbeatMax) > 0) {
            throw new IllegalArgumentException("heartbeat.min must be at most heartbeat.max");
        }
        if (parkedMax < 1 || devicesMaxPerUser < 1 || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("parked.max and devices.max-per-user must be positive");
        }
        if (pingMaxFolders < 1 || maxRequestBytes < 1 || maxConcurrentRequests < 1 || syncMaxWindowSize < 1
                || wbxmlMaxDepth < 1 || wbxmlMaxElements < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        policy = Map.copyOf(policy);
        values = Map.copyOf(values);
    }

    /** Builds a configuration from option keys to values; missing keys take their defaults. */
    public static GatewayConfig from(Map<String, String> values) {
        Map<String, String> v = new LinkedHashMap<>();
        for (ConfigOption option : GatewayOptions.ALL) {
            v.put(option.key(), option.defaultValue());
        }
        Map<String, String> policy = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            // registered policy.* options (policy.sets ...) are options; every other policy.* key is a policy value
            if (v.containsKey(e.getKey())) {
                v.put(e.getKey(), e.getValue());
            } else if (e.getKey().startsWith(GatewayOptions.POLICY_PREFIX)) {
                policy.put(e.getKey().substring(GatewayOptions.POLICY_PREFIX.length()), e.getValue());
            } else {
                throw new IllegalArgumentException("unknown option '" + e.getKey() + "'");
            }
        }
        return new GatewayConfig(
                v.get("bind"),
                integer(v, GatewayOptions.PORT),
                v.get("backend"),
                v.get("redis").strip(),
                v.get("push.token").strip(),
                v.get("memory.password"),
                v.get("memory.domain"),
                v.get("memory.demo-password"),
                Duration.ofSeconds(integer(v, GatewayOptions.HEARTBEAT_MIN)),
                Duration.ofSeconds(integer(v, GatewayOptions.HEARTBEAT_MAX)),
                integer(v, GatewayOptions.PING_MAX_FOLDERS),
                longValue(v, GatewayOptions.MAX_REQUEST_BYTES),
                integer(v, GatewayOptions.MAX_CONCURRENT),
                Duration.ofSeconds(integer(v, GatewayOptions.RETRY_AFTER)),
                bool(v, GatewayOptions.PROVISION_REQUIRED),
                policy,
                integer(v, GatewayOptions.SYNC_MAX_WINDOW),
                integer(v, GatewayOptions.WBXML_MAX_DEPTH),
                integer(v, GatewayOptions.WBXML_MAX_ELEMENTS),
                bool(v, GatewayOptions.METRICS_PUBLIC),
                integer(v, GatewayOptions.PARKED_MAX),
                integer(v, GatewayOptions.DEVICES_MAX_PER_USER),
                Duration.ofSeconds(integer(v, GatewayOptions.SHUTDOWN_GRACE)),
                v);
    }

    private static int integer(Map<String, String> values, ConfigOption option) {
        long value = longValue(values, option);
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new IllegalArgumentException(option.key() + " is out of range");
        }
        return (int) value;
    }

    private static long longValue(Map<String, String> values, ConfigOption option) {
        String text = values.get(option.key()).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option.key() + " must be a number, got '" + text + "'");
        }
    }

    private static boolean bool(Map<String, String> values, ConfigOption option) {
        String text = values.get(option.key()).strip().toLowerCase(java.util.Locale.ROOT);
        return switch (text) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException(option.key() + " must be true or false, got '" + text + "'");
        };
    }

    /** Whether state and change events are shared through Redis (several nodes). */
    public boolean clustered() {
        return !redis.isEmpty();
    }

    // ---- options of feature packages, read by their definition -------------------------------------------------

    /** The value of any option (its default when not set); for options defined outside {@link GatewayOptions}. */
    public String text(ConfigOption option) {
        String value = values.get(option.key());
        if (value == null) {
            throw new IllegalArgumentException("option " + option.key() + " is not registered in GatewayOptions.ALL");
        }
        return value.strip();
    }

    /** An option as a whole number; fails with the option's name when it is not one. */
    public long number(ConfigOption option) {
        return longValue(values, option);
    }

    /** An option as true/false (also yes/no, on/off, 1/0). */
    public boolean flag(ConfigOption option) {
        return bool(values, option);
    }

    /** An option in seconds. */
    public Duration seconds(ConfigOption option) {
        return Duration.ofSeconds(number(option));
    }

    /** Whether any user name logs in with {@link #memoryPassword()} (load-test mode). */
    public boolean anyUserMode() {
        return !memoryPassword.isEmpty();
    }
}
