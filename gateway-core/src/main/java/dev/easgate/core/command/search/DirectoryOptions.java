package dev.easgate.core.command.search;

import dev.easgate.backends.directory.Directory;
import dev.easgate.backends.directory.LdapDirectory;
import dev.easgate.backends.directory.MemoryDirectory;
import dev.easgate.core.config.ConfigOption;
import dev.easgate.core.config.GatewayConfig;
import java.util.List;

/** The options of the directory (GAL) that Search, Find and ResolveRecipients use, and the directory they make. */
public final class DirectoryOptions {
    public static final ConfigOption DIRECTORY = new ConfigOption("directory", "memory",
            "global address list: 'memory' (the demo accounts and a seeded company) or 'ldap' (directory.ldap.*)");
    public static final ConfigOption LDAP_URL = new ConfigOption("directory.ldap.url", "",
            "LDAP server of the GAL: ldap://host:port or ldaps://host:port");
    public static final ConfigOption LDAP_BASE = new ConfigOption("directory.ldap.base", "",
            "subtree searched for people, e.g. ou=people,dc=example,dc=com");
    public static final ConfigOption LDAP_BIND_DN = new ConfigOption("directory.ldap.bind-dn", "",
            "DN to bind as; empty: anonymous bind");
    public static final ConfigOption LDAP_PASSWORD = new ConfigOption("directory.ldap.password", "",
            "password of directory.ldap.bind-dn");
    public static final ConfigOption LDAP_FILTER = new ConfigOption("directory.ldap.filter",
            "(objectClass=inetOrgPerson)", "filter every GAL entry must match");
    public static final ConfigOption LDAP_ATTRIBUTES = new ConfigOption("directory.ldap.attributes", "",
            "attribute mapping overrides, field=attribute,... (fields: displayName firstName lastName email phone "
                    + "mobilePhone homePhone office title company alias picture certificates); defaults: "
                    + "inetOrgPerson (cn givenName sn mail telephoneNumber mobile homePhone "
                    + "physicalDeliveryOfficeName title o uid jpegPhoto userCertificate;binary)");
    public static final ConfigOption SEARCH_MAX_RESULTS = new ConfigOption("search.max-results", "100",
            "most results one Search or Find answers, whatever Range asks for");
    public static final ConfigOption SEARCH_TIMEOUT = new ConfigOption("search.timeout-seconds", "30",
            "longest a Search or ResolveRecipients waits for the store and directory; then Search answers Store "
                    + "status 10 (timed out), ResolveRecipients status 6 (server error)");

    public static final List<ConfigOption> ALL = List.of(DIRECTORY, LDAP_URL, LDAP_BASE, LDAP_BIND_DN,
            LDAP_PASSWORD, LDAP_FILTER, LDAP_ATTRIBUTES, SEARCH_MAX_RESULTS, SEARCH_TIMEOUT);

    private DirectoryOptions() {
    }

    /** The directory the configuration names; fails with the option's name when it is misconfigured. */
    public static Directory directory(GatewayConfig config) {
        String kind = config.text(DIRECTORY);
        return switch (kind) {
            case "memory" -> MemoryDirectory.demo(config.memoryDomain());
            case "ldap" -> {
                if (config.text(LDAP_URL).isEmpty() || config.text(LDAP_BASE).isEmpty()) {
                    throw new IllegalArgumentException("directory=ldap needs directory.ldap.url and "
                            + "directory.ldap.base");
                }
                yield new LdapDirectory(new LdapDirectory.Settings(config.text(LDAP_URL), config.text(LDAP_BASE),
                        config.text(LDAP_BIND_DN), config.text(LDAP_PASSWORD), config.text(LDAP_FILTER),
                        LdapDirectory.Mapping.parse(config.text(LDAP_ATTRIBUTES))));
            }
            default -> throw new IllegalArgumentException("directory must be 'memory' or 'ldap', got '" + kind + "'");
        };
    }
}
