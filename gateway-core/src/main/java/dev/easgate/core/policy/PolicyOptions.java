package dev.easgate.core.policy;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/**
 * Options of the policy sets. Besides these, two families of keys are read by prefix (they are not single options):
 * {@code policy.set.<name>.<Element>} (an EASProvisionDoc value of one set) and {@code policy.ldap.group.<name>}
 * (the DN of the LDAP group whose members get set {@code <name>}).
 */
public final class PolicyOptions {
    public static final ConfigOption SETS = new ConfigOption("policy.sets", "",
            "named policy sets, comma-separated (e.g. strict,byod); each takes policy.set.<name>.<Element> values "
                    + "over the global policy.* values; a user gets one by the admin API (eas-admin policy set), "
                    + "else by policy.ldap.group.<name> or policy.ldap.attribute, else the global policy");
    public static final ConfigOption LDAP_ATTRIBUTE = new ConfigOption("policy.ldap.attribute", "",
            "attribute of the user's LDAP entry (directory.ldap.url, .base, .bind-dn) whose value names the user's "
                    + "policy set; it wins over policy.ldap.group.<name>; empty: not read");
    public static final ConfigOption LDAP_USER_FILTER = new ConfigOption("policy.ldap.user-filter",
            "(|(uid={user})(mail={user}))",
            "filter finding the user's LDAP entry under directory.ldap.base; {user} is the login name");
    public static final ConfigOption LDAP_REFRESH = new ConfigOption("policy.ldap.refresh-seconds", "300",
            "how long a node keeps a user's LDAP groups and attribute; a change in the directory reaches the "
                    + "user's devices within this time (Provision always reads the directory afresh)");

    public static final List<ConfigOption> ALL = List.of(SETS, LDAP_ATTRIBUTE, LDAP_USER_FILTER, LDAP_REFRESH);

    /** Prefix of one set's values: {@code policy.set.<name>.<Element>} (after {@code policy.}). */
    static final String SET_PREFIX = "set.";
    /** Prefix of the group mapping: {@code policy.ldap.group.<name>} (after {@code policy.}). */
    static final String GROUP_PREFIX = "ldap.group.";

    private PolicyOptions() {
    }
}
