package dev.easgate.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JvmOptionsTest {

    @Test
    void argumentFilesAreTakenFromTheRepositoryRootAndTheRestIsSplitOnSpaces() {
        Path root = Path.of("/repo");
        assertThat(JvmOptions.parse(" @packaging/jvm.options  -Xlog:gc -Xmx1g ", root))
                .containsExactly("@/repo/packaging/jvm.options", "-Xlog:gc", "-Xmx1g");
        assertThat(JvmOptions.parse("@/etc/easgate/jvm.options", root)).containsExactly("@/etc/easgate/jvm.options");
        assertThat(JvmOptions.parse("  ", root)).isEmpty();
    }

    /** The nodes eas-bench starts run with the options README's run command and bin/easgate ship. */
    @Test
    void benchNodesDefaultToTheShippedOptions() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path shipped = root.resolve("packaging/jvm.options");
        assertThat(shipped).exists();
        assertThat(JvmOptions.parse(JvmOptions.SHIPPED, root)).isEqualTo(List.of("@" + shipped));
        assertThat(Files.readString(root.resolve("README.md")))
                .contains("java @packaging/jvm.options -jar gateway-core/target/gateway-core.jar");
        assertThat(Files.readString(root.resolve("packaging/bin/easgate"))).contains("@$home/conf/jvm.options");
    }

    /** ... and with the malloc arenas bin/easgate sets. */
    @Test
    void benchNodesHaveTheMallocArenasOfTheLauncher() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(Files.readString(root.resolve("packaging/bin/easgate")))
                .contains("export MALLOC_ARENA_MAX=\"${MALLOC_ARENA_MAX:-" + LocalCluster.SHIPPED_MALLOC_ARENAS + "}\"");
    }
}
