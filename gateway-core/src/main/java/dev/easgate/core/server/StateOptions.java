package dev.easgate.core.server;

import dev.easgate.backends.disk.DiskStateStore;
import dev.easgate.core.config.ConfigOption;
import dev.easgate.core.config.GatewayConfig;
import java.nio.file.Path;
import java.util.List;

/** Where a single node (no {@code redis}) keeps its devices' state: an SQLite file in a data directory. */
public final class StateOptions {
    public static final ConfigOption DATA_DIR = new ConfigOption("data.dir", "data",
            "directory of a single node's device state (without redis): state.db, an SQLite file that keeps "
                    + "policy keys and sync state across restarts and crashes; created when missing; relative to "
                    + "the working directory. Ignored with redis");
    public static final ConfigOption DATA_DURABILITY = new ConfigOption("data.durability", "full",
            "'full': every state write is fsynced before the answer leaves (survives a power loss; one fsync per "
                    + "write); 'normal': written to the OS at once (survives a crash of the process) but fsynced "
                    + "only at checkpoints, so a power loss may undo the last writes (those devices resync)");

    public static final List<ConfigOption> ALL = List.of(DATA_DIR, DATA_DURABILITY);

    private StateOptions() {
    }

    /** Opens the single node's store as configured: blocking, at startup. */
    static DiskStateStore open(GatewayConfig config) {
        String dir = config.text(DATA_DIR);
        if (dir.isBlank()) {
            throw new IllegalArgumentException("data.dir must name a directory");
        }
        return DiskStateStore.open(Path.of(dir), DiskStateStore.Durability.of(config.text(DATA_DURABILITY)));
    }
}
