package dev.easgate.core.loop;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What loop detection keeps of one device, in its state values (so every node sees it and it outlives restarts):
 * the flag with its reason, the items set aside, and the counters of repeated answers and failures.
 *
 * @param reason   why the device is flagged, or null when it is not
 * @param since    when it was flagged, or null
 * @param setAside the items not sent any more
 * @param counters counter name ({@code sync:<collection>}, {@code item:<collection>/<id>},
 *                 {@code client:<collection>/<id>}) to what was seen and how often in a row
 */
public record LoopRecord(String reason, Instant since, List<SetAside> setAside, Map<String, Counter> counters) {
    public static final LoopRecord NONE = new LoopRecord(null, null, List.of(), Map.of());

    /** An item set aside: its collection, id and the failure that set it aside. */
    public record SetAside(String collectionId, String itemId, String reason) {
    }

    /** How often in a row the same thing ({@code fingerprint}) was seen. */
    public record Counter(String fingerprint, int count) {
    }

    public LoopRecord {
        setAside = List.copyOf(setAside);
        counters = Map.copyOf(counters);
    }

    public boolean flagged() {
        return reason != null;
    }

    boolean isEmpty() {
        return reason == null && setAside.isEmpty() && counters.isEmpty();
    }

    LoopRecord flag(String why, Instant at) {
        return reason != null ? this : new LoopRecord(why, at, setAside, counters);
    }

    LoopRecord withCounter(String name, Counter counter) {
        Map<String, Counter> next = new LinkedHashMap<>(counters);
        if (counter == null) {
            next.remove(name);
        } else {
            next.put(name, counter);
        }
        return new LoopRecord(reason, since, setAside, next);
    }

    LoopRecord withSetAside(SetAside item) {
        List<SetAside> next = new ArrayList<>(setAside);
        next.add(item);
        return new LoopRecord(reason, since, next, counters);
    }

    /** Lines of tab-separated fields: F since reason; S collection item reason; C name count fingerprint. */
    byte[] encode() {
        StringBuilder out = new StringBuilder();
        if (reason != null) {
            out.append("F\t").append(since.toEpochMilli()).append('\t').append(clean(reason)).append('\n');
        }
        for (SetAside item : setAside) {
            out.append("S\t").append(clean(item.collectionId())).append('\t').append(clean(item.itemId()))
                    .append('\t').append(clean(item.reason())).append('\n');
        }
        counters.forEach((name, counter) -> out.append("C\t").append(clean(name)).append('\t')
                .append(counter.count()).append('\t').append(clean(counter.fingerprint())).append('\n'));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static LoopRecord decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return NONE;
        }
        String reason = null;
        Instant since = null;
        List<SetAside> setAside = new ArrayList<>();
        Map<String, Counter> counters = new LinkedHashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split("\t", -1);
            try {
                switch (f[0]) {
                    case "F" -> {
                        since = Instant.ofEpochMilli(Long.parseLong(f[1]));
                        reason = f[2];
                    }
                    case "S" -> setAside.add(new SetAside(f[1], f[2], f[3]));
                    case "C" -> counters.put(f[1], new Counter(f[3], Integer.parseInt(f[2])));
                    default -> {
                        // an empty or unknown line: skipped
                    }
                }
            } catch (RuntimeException unreadable) {
                // a damaged line loses only itself
            }
        }
        return new LoopRecord(reason, since, setAside, counters);
    }

    private static String clean(String text) {
        String value = text == null ? "" : text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
        return value.length() > 300 ? value.substring(0, 300) : value;
    }
}
