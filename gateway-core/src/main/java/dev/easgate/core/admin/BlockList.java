package dev.easgate.core.admin;

import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.http.FrontGuards;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Devices an administrator blocked: one device of a user, every device of a type (DeviceType, case-insensitive),
 * or every client whose User-Agent starts with a prefix (case-insensitive). Kept in the state store as a value of
 * a reserved pseudo device ({@code #easgate/admin}), so every node sharing the store (Redis) sees it and it
 * outlives a restart; each node holds a copy, reloaded every few seconds, so checking costs no store round trip per
 * request. Concurrent changes from two admin APIs at the same instant may lose one (last writer wins).
 */
public final class BlockList implements FrontGuards.DeviceBlocks {
    static final DeviceKey STORE_KEY = new DeviceKey("#easgate", "admin");
    static final String VALUE = "blocklist";
    private static final Logger LOG = LoggerFactory.getLogger(BlockList.class);

    /** What an entry matches. */
    public enum Kind {
        DEVICE("device"), DEVICE_TYPE("device-type"), USER_AGENT("user-agent");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Kind of(String wire) {
            for (Kind kind : values()) {
                if (kind.wire.equalsIgnoreCase(wire)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("kind must be device, device-type or user-agent, got '" + wire + "'");
        }
    }

    /** One entry; for {@link Kind#DEVICE} the value is {@code user/deviceId}. */
    public record Entry(Kind kind, String value) {
        public Entry {
            if (value == null || value.isBlank() || value.indexOf('\n') >= 0 || value.indexOf('\t') >= 0) {
                throw new IllegalArgumentException("a block needs a value without tabs or line breaks");
            }
        }

        public static Entry device(String user, String deviceId) {
            return new Entry(Kind.DEVICE, user + "/" + deviceId);
        }
    }

    private final StateStore store;
    private volatile Set<Entry> entries = Set.of();

    public BlockList(StateStore store) {
        this.store = store;
    }

    public Set<Entry> entries() {
        return entries;
    }

    /** Reloads the list from the store. */
    public Mono<Set<Entry>> refresh() {
        return store.value(STORE_KEY, VALUE).map(BlockList::decode).defaultIfEmpty(Set.of())
                .doOnNext(loaded -> entries = loaded);
    }

    /** Reloads every {@code period} until disposed; a failed reload keeps the last list and is logged. */
    public Disposable refreshEvery(Duration period) {
        return Flux.interval(Duration.ZERO, period)
                .concatMap(tick -> refresh().onErrorResume(e -> {
                    LOG.warn("cannot reload the block list: {}", e.toString());
                    return Mono.empty();
                }))
                .subscribe();
    }

    /** Adds an entry; emits whether it was new. */
    public Mono<Boolean> add(Entry entry) {
        return change(set -> set.add(entry));
    }

    /** Removes an entry; emits whether it was there. */
    public Mono<Boolean> remove(Entry entry) {
        return change(set -> set.remove(entry));
    }

    private Mono<Boolean> change(java.util.function.Predicate<Set<Entry>> edit) {
        return refresh().flatMap(current -> {
            Set<Entry> next = new LinkedHashSet<>(current);
            boolean changed = edit.test(next);
            if (!changed) {
                return Mono.just(false);
            }
            return store.putValue(STORE_KEY, VALUE, encode(next))
                    .then(Mono.fromRunnable(() -> entries = Set.copyOf(next)))
                    .thenReturn(true);
        });
    }

    @Override
    public String blocked(String user, String deviceId, String deviceType, String userAgent) {
        Set<Entry> current = entries;
        if (current.isEmpty()) {
            return null;
        }
        String device = user + "/" + deviceId;
        String agent = userAgent == null ? "" : userAgent.toLowerCase(Locale.ROOT);
        for (Entry e : current) {
            boolean match = switch (e.kind()) {
                case DEVICE -> e.value().equals(device);
                case DEVICE_TYPE -> e.value().equalsIgnoreCase(deviceType);
                case USER_AGENT -> agent.startsWith(e.value().toLowerCase(Locale.ROOT));
            };
            if (match) {
                return e.kind().wire() + " " + e.value();
            }
        }
        return null;
    }

    static byte[] encode(Set<Entry> entries) {
        StringBuilder out = new StringBuilder();
        for (Entry e : entries) {
            out.append(e.kind().wire()).append('\t').append(e.value()).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Set<Entry> decode(byte[] bytes) {
        Set<Entry> out = new LinkedHashSet<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                try {
                    out.add(new Entry(Kind.of(line.substring(0, tab)), line.substring(tab + 1)));
                } catch (IllegalArgumentException e) {
                    LOG.warn("ignoring a bad block list line: {}", e.getMessage());
                }
            }
        }
        return Set.copyOf(out);
    }
}
