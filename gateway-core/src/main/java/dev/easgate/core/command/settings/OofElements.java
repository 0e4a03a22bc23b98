package dev.easgate.core.command.settings;

import dev.easgate.backends.oof.OofAudience;
import dev.easgate.backends.oof.OofMessage;
import dev.easgate.backends.oof.OofSettings;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Out of Office settings as the Settings command carries them (MS-ASCMD 2.2.3.122 Oof): the children of a Get
 * answer, and a Set applied to the current settings.
 */
final class OofElements {
    /** MS-ASDTYPE 2.3 dateTime as EAS writes it. */
    private static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private OofElements() {
    }

    /** OofState, StartTime and EndTime (state 2) and the messages, as a Get answers them. */
    static List<WbxmlElement> elements(OofSettings settings) {
        List<WbxmlElement> out = new ArrayList<>();
        out.add(text("OofState", Integer.toString(settings.state())));
        if (settings.start() != null) {
            out.add(text("StartTime", DATE_TIME.format(settings.start())));
            out.add(text("EndTime", DATE_TIME.format(settings.end())));
        }
        for (OofMessage message : settings.messages()) {
            out.add(WbxmlElement.el(CodePage.SETTINGS, "OofMessage")
                    .empty(message.audience().element())
                    .child("Enabled", message.enabled() ? "1" : "0")
                    .child("ReplyMessage", message.reply())
                    .child("BodyType", message.bodyType())
                    .build());
        }
        return out;
    }

    private static WbxmlElement text(String name, String value) {
        return WbxmlElement.text(CodePage.SETTINGS.require(name), value);
    }

    /**
     * {@code current} changed by a Set element (or read from a stored Oof element); {@code null} when it is
     * malformed: an OofState other than 0, 1 or 2, state 2 without StartTime and EndTime, a time that is no
     * dateTime, or an OofMessage without exactly one audience. A message replaces the one of its audience.
     */
    static OofSettings apply(OofSettings current, WbxmlElement set) {
        try {
            String stateText = set.childText("OofState");
            int state = stateText == null ? current.state() : Integer.parseInt(stateText.strip());
            if (state < 0 || state > 2) {
                return null;
            }
            Instant start = set.childText("StartTime") != null ? Instant.parse(set.childText("StartTime").strip())
                    : current.start();
            Instant end = set.childText("EndTime") != null ? Instant.parse(set.childText("EndTime").strip())
                    : current.end();
            if (state == 2 && (start == null || end == null)) {
                return null;
            }
            OofSettings changed = current.withState(state, start, end);
            for (WbxmlElement element : set.children("OofMessage")) {
                OofMessage message = message(element);
                if (message == null) {
                    return null;
                }
                changed = changed.with(message);
            }
            return changed;
        } catch (NumberFormatException | DateTimeParseException e) {
            return null;
        }
    }

    private static OofMessage message(WbxmlElement element) {
        OofAudience found = null;
        for (OofAudience audience : OofAudience.values()) {
            if (element.child(audience.element()) != null) {
                if (found != null) {
                    return null;
                }
                found = audience;
            }
        }
        if (found == null) {
            return null;
        }
        String enabled = element.childText("Enabled");
        return new OofMessage(found, enabled != null && enabled.strip().equals("1"), element.childText("ReplyMessage"),
                element.childText("BodyType"));
    }
}
