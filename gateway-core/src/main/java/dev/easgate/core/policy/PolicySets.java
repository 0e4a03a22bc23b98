package dev.easgate.core.policy;

import dev.easgate.core.config.GatewayConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The global policy and the named sets of the configuration, read once at start and validated then: a set's
 * values are the global values with its own {@code policy.set.<name>.<Element>} over them (unset keys inherit); a
 * value for an undeclared set, a group for an undeclared set, or an invalid value stops the gateway with a message
 * naming the option.
 *
 * @param global the global policy (the {@code policy.<Element>} options)
 * @param named  the declared sets by name, in {@code policy.sets} order
 * @param groups set name to the DN of its LDAP group, in {@code policy.sets} order
 */
public record PolicySets(PolicySet global, Map<String, PolicySet> named, Map<String, String> groups) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public PolicySets {
        named = Collections.unmodifiableMap(new LinkedHashMap<>(named));
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /** Only the global policy (no sets): what a gateway without {@code policy.sets} serves. */
    public static PolicySets only(PolicyDocument global) {
        return new PolicySets(new PolicySet(PolicySet.GLOBAL, global), Map.of(), Map.of());
    }

    /**
     * The sets of a configuration ({@link GatewayConfig#policy()} holds every {@code policy.*} key that is not an
     * option of {@link PolicyOptions}).
     *
     * @throws IllegalArgumentException naming the first bad option
     */
    public static PolicySets from(GatewayConfig config) {
        List<String> declared = new ArrayList<>();
        for (String name : config.text(PolicyOptions.SETS).split(",")) {
            String trimmed = name.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(trimmed).matches() || trimmed.equals(PolicySet.GLOBAL) || declared.contains(trimmed)) {
                throw new IllegalArgumentException("policy.sets: '" + trimmed + "' is not a usable set name (letters, "
                        + "digits, '-' and '_', not '" + PolicySet.GLOBAL + "', each once)");
            }
            declared.add(trimmed);
        }
        Map<String, String> global = new LinkedHashMap<>();
        Map<String, Map<String, String>> own = new LinkedHashMap<>();
        Map<String, String> groups = new LinkedHashMap<>();
        declared.forEach(name -> own.put(name, new LinkedHashMap<>()));
        for (Map.Entry<String, String> e : config.policy().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(PolicyOptions.SET_PREFIX)) {
                String rest = key.substring(PolicyOptions.SET_PREFIX.length());
                int dot = rest.indexOf('.');
                String set = dot < 0 ? rest : rest.substring(0, dot);
                if (dot < 0 || !own.containsKey(set)) {
                    throw new IllegalArgumentException("policy." + key + ": '" + set + "' is not in policy.sets");
                }
                own.get(set).put(rest.substring(dot + 1), e.getValue());
            } else if (key.startsWith(PolicyOptions.GROUP_PREFIX)) {
                String set = key.substring(PolicyOptions.GROUP_PREFIX.length());
                if (!own.containsKey(set)) {
                    throw new IllegalArgumentException("policy." + key + ": '" + set + "' is not in policy.sets");
                }
                groups.put(set, e.getValue().strip());
            } else {
                global.put(key, e.getValue());
            }
        }
        PolicyDocument globalDocument = PolicyDocument.of(global);
        Map<String, PolicySet> named = new LinkedHashMap<>();
        for (String name : declared) {
            Map<String, String> values = new LinkedHashMap<>(global);
            values.putAll(own.get(name));
            try {
                named.put(name, new PolicySet(name, PolicyDocument.of(values)));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(bad.getMessage().replaceFirst("^policy\\.",
                        "policy.set." + name + "."), bad);
            }
        }
        Map<String, String> orderedGroups = new LinkedHashMap<>();
        for (String name : declared) {
            if (groups.containsKey(name)) {
                orderedGroups.put(name, groups.get(name));
            }
        }
        return new PolicySets(new PolicySet(PolicySet.GLOBAL, globalDocument), named, orderedGroups);
    }

    /** Whether any named set exists (without one, every device has the global policy and nothing is checked). */
    public boolean enabled() {
        return !named.isEmpty();
    }

    /** The set of that name ({@link PolicySet#GLOBAL} included), or null. */
    public PolicySet get(String name) {
        return PolicySet.GLOBAL.equals(name) ? global : named.get(name);
    }

    /** Every set, the global one first. */
    public List<PolicySet> all() {
        List<PolicySet> all = new ArrayList<>();
        all.add(global);
        all.addAll(named.values());
        return all;
    }
}
