package dev.easgate.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration reference generated from the option definitions ({@link GatewayOptions#ALL}), so the
 * documentation and the commented configuration file can never disagree with the code: {@code
 * docs/configuration.md} and {@code packaging/easgate.properties}. A test regenerates both and fails when the
 * committed files differ; {@code main(repositoryRoot)} rewrites them.
 */
public final class ConfigReference {
    private ConfigReference() {
    }

    /** The Markdown reference: one table row per option. */
    public static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n")
                .append("Generated from the option definitions in the code (`GatewayOptions.ALL`); do not edit by hand:\n")
                .append("`mvn -q -pl gateway-core test -Dtest=ConfigReferenceTest -Deasgate.regenerate=true` rewrites it.\n\n")
                .append("Options come from a properties file (`--config=FILE`), then environment variables, then ")
                .append("command-line flags (`--key=value`), later ones winning.\n\n")
                .append("| option | default | environment | meaning |\n|---|---|---|---|\n");
        for (ConfigOption option : GatewayOptions.ALL) {
            out.append("| `").append(option.key()).append("` | ")
                    .append(option.defaultValue().isEmpty() ? "(empty)" : "`" + option.defaultValue() + "`")
                    .append(" | `").append(option.environmentVariable()).append("` | ")
                    .append(option.description().replace("|", "\\|")).append(" |\n");
        }
        out.append("| `policy.<Element>` | | | a value of the EASProvisionDoc sent on Provision (MS-ASPROV), e.g. ")
                .append("`policy.DevicePasswordEnabled=1` |\n");
        out.append("| `policy.set.<name>.<Element>` | | | a value of policy set `<name>` (declared in `policy.sets`); ")
                .append("unset elements inherit `policy.<Element>` |\n");
        out.append("| `policy.ldap.group.<name>` | | | DN of the LDAP group whose members get policy set `<name>` ")
                .append("(the first matching set in `policy.sets` order) |\n");
        return out.toString();
    }

    /** The commented properties file: every option at its default, commented out, with its description. */
    public static String properties() {
        StringBuilder out = new StringBuilder();
        out.append("# easgate configuration (easgate --config=/etc/easgate/easgate.properties)\n")
                .append("# Every option with its default, commented out; uncomment and change what you need.\n")
                .append("# Generated from the option definitions in the code (see docs/configuration.md).\n")
                .append("# Environment variables (EASGATE_KEY) and --key=value flags override this file.\n");
        for (ConfigOption option : GatewayOptions.ALL) {
            out.append('\n');
            for (String line : wrap(option.description(), 100)) {
                out.append("# ").append(line).append('\n');
            }
            out.append("#").append(option.key()).append('=').append(option.defaultValue()).append('\n');
        }
        out.append("\n# Policy (MS-ASPROV EASProvisionDoc) values, one per element, e.g.:\n")
                .append("#policy.DevicePasswordEnabled=1\n")
                .append("# Values of a policy set declared in policy.sets (unset elements inherit policy.<Element>):\n")
                .append("#policy.set.strict.DevicePasswordEnabled=1\n")
                .append("# Members of an LDAP group get a set:\n")
                .append("#policy.ldap.group.strict=cn=phones-strict,ou=groups,dc=example,dc=com\n");
        return out.toString();
    }

    private static java.util.List<String> wrap(String text, int width) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** Writes both files under the repository root given as the first argument (default: the current directory). */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("packaging"));
        Files.writeString(root.resolve("docs/configuration.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(root.resolve("packaging/easgate.properties"), properties(), StandardCharsets.UTF_8);
    }
}
