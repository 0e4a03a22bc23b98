package dev.easgate.core.config;

/**
 * One configuration option: its key (as written in the file and as {@code --key=value}), its default, and what it
 * does. The list in {@link GatewayOptions} is the single source for parsing, {@code --help} and documentation.
 */
public record ConfigOption(String key, String defaultValue, String description) {

    /** The environment variable that sets this option: {@code EASGATE_} + the key upper-cased, '.' and '-' as '_'. */
    public String environmentVariable() {
        return "EASGATE_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
