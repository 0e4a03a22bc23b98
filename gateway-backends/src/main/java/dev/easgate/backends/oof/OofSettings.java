package dev.easgate.backends.oof;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A user's Out of Office settings (MS-ASCMD 2.2.3.122): OofState (2.2.3.124: 0 off, 1 on, 2 on between
 * {@code start} and {@code end}) and at most one message per audience, in audience order.
 *
 * @param state    0, 1 or 2
 * @param start    StartTime when state is 2, else {@code null}
 * @param end      EndTime when state is 2, else {@code null}
 * @param messages the messages, at most one per audience
 */
public record OofSettings(int state, Instant start, Instant end, List<OofMessage> messages) {
    public static final OofSettings OFF = new OofSettings(0, null, null, List.of());

    public OofSettings {
        if (state < 0 || state > 2) {
            throw new IllegalArgumentException("OofState must be 0, 1 or 2, got " + state);
        }
        if (state == 2 && (start == null || end == null)) {
            throw new IllegalArgumentException("OofState 2 needs StartTime and EndTime");
        }
        if (state != 2) {
            // 2.2.3.124: the times are kept only with state 2
            start = null;
            end = null;
        }
        List<OofMessage> sorted = new ArrayList<>(messages);
        sorted.sort(Comparator.comparing(OofMessage::audience));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).audience() == sorted.get(i - 1).audience()) {
                throw new IllegalArgumentException("two messages for " + sorted.get(i).audience());
            }
        }
        messages = List.copyOf(sorted);
    }

    /** The message for {@code audience}, if any. */
    public Optional<OofMessage> message(OofAudience audience) {
        return messages.stream().filter(m -> m.audience() == audience).findFirst();
    }

    /** The enabled message for {@code audience}, if any. */
    public Optional<OofMessage> enabled(OofAudience audience) {
        return message(audience).filter(OofMessage::enabled);
    }

    /** These settings with another state (and times, kept only for state 2). */
    public OofSettings withState(int newState, Instant newStart, Instant newEnd) {
        return new OofSettings(newState, newStart, newEnd, messages);
    }

    /** These settings with {@code message} replacing the one of its audience. */
    public OofSettings with(OofMessage message) {
        List<OofMessage> changed = new ArrayList<>(messages);
        changed.removeIf(m -> m.audience() == message.audience());
        changed.add(message);
        return new OofSettings(state, start, end, changed);
    }
}
