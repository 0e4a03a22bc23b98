package dev.easgate.core.command.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.oof.OofAudience;
import dev.easgate.backends.oof.OofMessage;
import dev.easgate.backends.oof.OofSettings;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Oof Set applied to the current settings, and the Get children they give back (MS-ASCMD 2.2.3.122). */
class OofElementsTest {
    private static WbxmlElement set(Consumer<WbxmlElement.Builder> body) {
        WbxmlElement.Builder set = WbxmlElement.el(CodePage.SETTINGS, "Set");
        body.accept(set);
        return set.build();
    }

    @Test
    void aSetReplacesTheMessageOfItsAudienceAndKeepsTheOthers() {
        OofSettings current = new OofSettings(1, null, null, List.of(
                new OofMessage(OofAudience.INTERNAL, true, "old inside", "Text"),
                new OofMessage(OofAudience.EXTERNAL_UNKNOWN, true, "outside", "Text")));
        OofSettings changed = OofElements.apply(current, set(s -> s.child("OofMessage",
                m -> m.empty("AppliesToInternal").child("Enabled", "0").child("ReplyMessage", "new inside"))));
        assertThat(changed.state()).isEqualTo(1);
        assertThat(changed.messages()).containsExactly(
                new OofMessage(OofAudience.INTERNAL, false, "new inside", "Text"),
                new OofMessage(OofAudience.EXTERNAL_UNKNOWN, true, "outside", "Text"));
    }

    @Test
    void timesAreKeptOnlyWithStateTwoAndAnsweredInEasForm() {
        OofSettings timed = OofElements.apply(OofSettings.OFF, set(s -> s.child("OofState", "2")
                .child("StartTime", "2026-12-20T08:30:00.000Z").child("EndTime", "2027-01-05T00:00:00Z")));
        assertThat(timed.start()).isEqualTo(Instant.parse("2026-12-20T08:30:00Z"));
        List<WbxmlElement> get = OofElements.elements(timed);
        assertThat(get).extracting(WbxmlElement::name).containsExactly("OofState", "StartTime", "EndTime");
        assertThat(get.get(2).text()).isEqualTo("2027-01-05T00:00:00.000Z");
        // 2.2.3.124: with another state the times are not stored
        OofSettings global = OofElements.apply(timed, set(s -> s.child("OofState", "1")
                .child("StartTime", "2026-12-20T08:30:00.000Z").child("EndTime", "2027-01-05T00:00:00Z")));
        assertThat(global.start()).isNull();
        assertThat(OofElements.elements(global)).extracting(WbxmlElement::name).containsExactly("OofState");
    }

    @Test
    void malformedSetsAreRefused() {
        assertThat(OofElements.apply(OofSettings.OFF, set(s -> s.child("OofState", "7")))).isNull();
        assertThat(OofElements.apply(OofSettings.OFF, set(s -> s.child("OofState", "x")))).isNull();
        assertThat(OofElements.apply(OofSettings.OFF, set(s -> s.child("OofState", "2")))).isNull();
        assertThat(OofElements.apply(OofSettings.OFF, set(s -> s.child("OofState", "2")
                .child("StartTime", "tomorrow").child("EndTime", "2027-01-05T00:00:00Z")))).isNull();
        assertThat(OofElements.apply(OofSettings.OFF, set(s -> s.child("OofMessage",
                m -> m.child("ReplyMessage", "to nobody"))))).isNull();
        assertThat(OofElements.apply(OofSettings.OFF, set(s -> s.child("OofMessage",
                m -> m.empty("AppliesToInternal").empty("AppliesToExternalKnown"))))).isNull();
    }
}
