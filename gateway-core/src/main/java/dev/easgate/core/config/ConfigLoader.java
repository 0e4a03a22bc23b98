package dev.easgate.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the configuration in three layers, later ones winning: a properties file ({@code --config=FILE}),
 * environment variables ({@code EASGATE_PORT=8443}), and command-line flags ({@code --port=8443} or
 * {@code --port 8443}).
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Thrown for a configuration the gateway cannot start with; the message says what to fix. */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String message) {
            super(message);
        }
    }

    public static GatewayConfig load(String[] args, Map<String, String> environment) {
        Map<String, String> flags = parseFlags(args);
        Map<String, String> merged = new LinkedHashMap<>();
        String file = flags.remove("config");
        if (file == null) {
            file = environment.get("EASGATE_CONFIG");
        }
        if (file != null) {
            merged.putAll(readFile(Path.of(file)));
        }
        for (ConfigOption option : GatewayOptions.ALL) {
            String value = environment.get(option.environmentVariable());
            if (value != null) {
                merged.put(option.key(), value);
            }
        }
        merged.putAll(flags);
        try {
            return GatewayConfig.from(merged);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static Map<String, String> parseFlags(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("unexpected argument '" + arg + "' (options look like --port=8080)");
            }
            String body = arg.substring(2);
            int eq = body.indexOf('=');
            if (eq >= 0) {
                flags.put(body.substring(0, eq), body.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                flags.put(body, args[++i]);
            } else {
                flags.put(body, "true");
            }
        }
        return flags;
    }

    private static Map<String, String> readFile(Path path) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + path + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            values.put(name, properties.getProperty(name).strip());
        }
        return values;
    }

    /** The text of {@code --help}: every option with its default and environment variable. */
    public static String help() {
        StringBuilder out = new StringBuilder("Options (file: key=value; environment: EASGATE_KEY; flag: --key=value):\n");
        for (ConfigOption option : GatewayOptions.ALL) {
            out.append(String.format("  --%-24s %s%n      default: %s   env: %s%n", option.key(),
                    option.description(), option.defaultValue().isEmpty() ? "(empty)" : option.defaultValue(),
                    option.environmentVariable()));
        }
        out.append("  --policy.<Element>=value   a value of the EASProvisionDoc sent on Provision (MS-ASPROV), e.g. ")
                .append("--policy.DevicePasswordEnabled=1\n");
        out.append("  --policy.set.<name>.<Element>=value   a value of policy set <name> (see policy.sets)\n");
        out.append("  --policy.ldap.group.<name>=DN   members of this LDAP group get policy set <name>\n");
        out.append("  --config=FILE              read options from a properties file first\n");
        return out.toString();
    }
}
