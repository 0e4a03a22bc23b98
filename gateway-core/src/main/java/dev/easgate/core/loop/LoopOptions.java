package dev.easgate.core.loop;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the loop detection. */
public final class LoopOptions {
    public static final ConfigOption REPEATS = new ConfigOption("loop.repeats", "5",
            "a device is flagged when it sends the same Sync key of a collection and gets the same answer this many "
                    + "times in a row (a replayed answer or an error status), or when the same client command fails "
                    + "this many times; one or two resends of a lost answer are normal");
    public static final ConfigOption ITEM_FAILURES = new ConfigOption("loop.item-failures", "3",
            "an item whose conversion for the device fails this many times is set aside (not sent again until "
                    + "eas-admin devices clear-loop) and the device gets the rest");

    public static final List<ConfigOption> ALL = List.of(REPEATS, ITEM_FAILURES);

    private LoopOptions() {
    }
}
