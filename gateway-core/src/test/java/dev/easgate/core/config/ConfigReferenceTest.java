package dev.easgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The committed configuration reference and commented configuration file are exactly what the option
 * definitions generate. After adding or changing an option, regenerate them with
 * {@code mvn -q -pl gateway-core test -Dtest=ConfigReferenceTest -Deasgate.regenerate=true}.
 */
class ConfigReferenceTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void committedReferenceMatchesTheOptionDefinitions() throws Exception {
        if (Boolean.getBoolean("easgate.regenerate")) {
            ConfigReference.main(new String[] {ROOT.toString()});
        }
        String hint = "stale: regenerate with mvn -q -pl gateway-core test -Dtest=ConfigReferenceTest "
                + "-Deasgate.regenerate=true";
        assertThat(Files.readString(ROOT.resolve("docs/configuration.md"), StandardCharsets.UTF_8)).as(hint)
                .isEqualTo(ConfigReference.markdown());
        assertThat(Files.readString(ROOT.resolve("packaging/easgate.properties"), StandardCharsets.UTF_8)).as(hint)
                .isEqualTo(ConfigReference.properties());
    }

    @Test
    void theCommentedFileHoldsEveryOptionAndLoadsWhenUncommented() throws Exception {
        String text = ConfigReference.properties();
        for (ConfigOption option : GatewayOptions.ALL) {
            assertThat(text).contains("#" + option.key() + "=" + option.defaultValue() + "\n");
        }
        // uncommenting every option gives a file the gateway accepts: the defaults, exactly
        StringBuilder uncommented = new StringBuilder();
        for (String line : text.split("\n")) {
            // the policy.<Element> examples are not options; policy.sets and the other policy options are
            boolean example = line.startsWith("#policy.") && GatewayOptions.ALL.stream()
                    .noneMatch(option -> line.startsWith("#" + option.key() + "="));
            if (line.startsWith("#") && line.contains("=") && !line.startsWith("# ") && !example) {
                uncommented.append(line.substring(1)).append('\n');
            }
        }
        Properties properties = new Properties();
        properties.load(new java.io.StringReader(uncommented.toString()));
        assertThat(properties).hasSize(GatewayOptions.ALL.size());
        Map<String, String> values = new java.util.HashMap<>();
        properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k)));
        assertThat(GatewayConfig.from(values)).isEqualTo(GatewayConfig.DEFAULT);
    }
}
