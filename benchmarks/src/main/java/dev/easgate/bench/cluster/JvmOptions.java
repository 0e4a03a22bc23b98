package dev.easgate.bench.cluster;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * JVM options given on the command line as one string. An {@code @file} argument (the java launcher's argument
 * file) with a relative path is taken from the repository root, so that started nodes run with the shipped options
 * ({@link #SHIPPED}) whatever the working directory.
 */
public final class JvmOptions {
    /** The options every gateway node ships with: README's run command, bin/easgate, systemd, the container. */
    public static final String SHIPPED = "@packaging/jvm.options";

    private JvmOptions() {
    }

    /** {@code options} split on white space, relative {@code @file}s resolved against {@code root}. */
    public static List<String> parse(String options, Path root) {
        if (options.isBlank()) {
            return List.of();
        }
        return Arrays.stream(options.strip().split("\\s+"))
                .map(option -> option.startsWith("@") && !Path.of(option.substring(1)).isAbsolute()
                        ? "@" + root.resolve(option.substring(1)) : option)
                .toList();
    }
}
