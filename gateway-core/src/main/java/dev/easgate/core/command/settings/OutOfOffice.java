package dev.easgate.core.command.settings;

import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.WbxmlException;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * A user's Out of Office settings (MS-ASCMD 2.2.3.122 Oof): OofState (0 off, 1 on, 2 on between StartTime and
 * EndTime) and up to one OofMessage per audience (AppliesToInternal, AppliesToExternalKnown,
 * AppliesToExternalUnknown) with Enabled, ReplyMessage and BodyType.
 *
 * <p>Kept per user, not per device, as a StateStore value named {@value #VALUE} of the pseudo-device
 * {@code (user, "*user*")}: the encoded WBXML of a Settings:Oof element holding exactly the children a Get answers.
 * The gateway only stores the settings; sending automatic replies is the mail system's business.
 *
 * @param state    OofState "0", "1" or "2"
 * @param start    StartTime, or {@code null}
 * @param end      EndTime, or {@code null}
 * @param messages the OofMessage elements, at most one per audience
 */
public record OutOfOffice(String state, String start, String end, List<WbxmlElement> messages) {
    static final String VALUE = "oof";
    static final String USER_DEVICE = "*user*";
    static final OutOfOffice OFF = new OutOfOffice("0", null, null, List.of());
    private static final List<String> AUDIENCES =
            List.of("AppliesToInternal", "AppliesToExternalKnown", "AppliesToExternalUnknown");

    public OutOfOffice {
        Objects.requireNonNull(state, "state");
        messages = List.copyOf(messages);
    }

    static DeviceKey key(String user) {
        return new DeviceKey(user, USER_DEVICE);
    }

    /** The stored settings, {@link #OFF} when none (or unreadable). */
    static Mono<OutOfOffice> load(StateStore state, String user) {
        return state.value(key(user), VALUE).map(OutOfOffice::decode).defaultIfEmpty(OFF);
    }

    Mono<Void> save(StateStore state, String user) {
        return state.putValue(key(user), VALUE, WbxmlEncoder.encode(
                WbxmlElement.el(CodePage.SETTINGS, "Oof").children(elements()).build()));
    }

    private static OutOfOffice decode(byte[] bytes) {
        try {
            WbxmlElement oof = WbxmlDecoder.DEFAULT.decode(bytes);
            return new OutOfOffice(oof.childText("OofState"), oof.childText("StartTime"), oof.childText("EndTime"),
                    oof.children("OofMessage"));
        } catch (WbxmlException | NullPointerException e) {
            return OFF;
        }
    }

    /** OofState, StartTime and EndTime (when state is 2) and the messages, as a Get answers them. */
    List<WbxmlElement> elements() {
        List<WbxmlElement> out = new ArrayList<>();
        out.add(text("OofState", state));
        if (start != null) {
            out.add(text("StartTime", start));
        }
        if (end != null) {
            out.add(text("EndTime", end));
        }
        out.addAll(messages);
        return out;
    }

    private static WbxmlElement text(String name, String value) {
        return WbxmlElement.text(CodePage.SETTINGS.require(name), value);
    }

    /**
     * These settings changed by a Set element; {@code null} when the Set is malformed: an OofState other than 0, 1
     * or 2, state 2 without StartTime and EndTime, or an OofMessage without exactly one audience.
     */
    OutOfOffice apply(WbxmlElement set) {
        String newState = set.childText("OofState") == null ? state : set.childText("OofState").strip();
        if (!newState.equals("0") && !newState.equals("1") && !newState.equals("2")) {
            return null;
        }
        String newStart = set.childText("StartTime") != null ? set.childText("StartTime").strip() : start;
        String newEnd = set.childText("EndTime") != null ? set.childText("EndTime").strip() : end;
        if (newState.equals("2") && (newStart == null || newEnd == null)) {
            return null;
        }
        List<WbxmlElement> newMessages = new ArrayList<>(messages);
        for (WbxmlElement message : set.children("OofMessage")) {
            String audience = audience(message);
            if (audience == null) {
                return null;
            }
            newMessages.removeIf(old -> audience.equals(audience(old)));
            newMessages.add(message);
        }
        newMessages.sort(java.util.Comparator.comparingInt(m -> AUDIENCES.indexOf(audience(m))));
        return newState.equals("2") ? new OutOfOffice(newState, newStart, newEnd, newMessages)
                : new OutOfOffice(newState, null, null, newMessages);
    }

    private static String audience(WbxmlElement message) {
        String found = null;
        for (String audience : AUDIENCES) {
            if (message.child(audience) != null) {
                if (found != null) {
                    return null;
                }
                found = audience;
            }
        }
        return found;
    }
}
