package dev.easgate.backends.ical;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.wbxml.WbxmlElement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RecurrencePatternTest {
    private static final DateTimeFormatter COMPACT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Test
    void readsTheRruleParts() {
        assertThat(RecurrencePattern.of("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20261231T235959Z")).isEqualTo(
                new RecurrencePattern(1, 2, Instant.parse("2026-12-31T23:59:59Z"), null, null, null, 2 | 8, null,
                        null));
        assertThat(RecurrencePattern.of("FREQ=MONTHLY;BYDAY=-1FR;COUNT=6"))
                .isEqualTo(new RecurrencePattern(3, null, null, 6, 5, null, 32, null, null));
        assertThat(RecurrencePattern.of("FREQ=YEARLY;BYMONTH=3;BYDAY=2SU;WKST=MO"))
                .isEqualTo(new RecurrencePattern(6, null, null, null, 2, null, 1, 3, 1));
        assertThat(RecurrencePattern.of("FREQ=DAILY;UNTIL=20270105"))
                .isEqualTo(new RecurrencePattern(0, null, Instant.parse("2027-01-05T00:00:00Z"), null, null, null,
                        null, null, null));
    }

    @Test
    void keepsAWeekOfMonthThatCameWithoutADay() {
        assertThat(RecurrencePattern.of("FREQ=MONTHLY;BYMONTHDAY=3;X-EASGATE-WEEKOFMONTH=2").weekOfMonth())
                .isEqualTo(2);
    }

    @Test
    void junkPartsAreLeftOutNotThrown() {
        assertThat(RecurrencePattern.of("FREQ=WEEKLY;INTERVAL=x;BYDAY=ZZ;WKST=QQ;UNTIL=soon;BYMONTHDAY=1,15"))
                .isEqualTo(new RecurrencePattern(1, null, null, null, null, 1, null, null, null));
    }

    @Test
    void writesTheElementInTheSchemasOrder() {
        WbxmlElement element = RecurrencePattern.of("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231T235959Z;WKST=SU")
                .element("Calendar:Recurrence", COMPACT);
        assertThat(element.children()).extracting(WbxmlElement::name)
                .containsExactly("Type", "WeekOfMonth", "DayOfWeek", "Until", "FirstDayOfWeek");
        assertThat(element.childText("Until")).isEqualTo("20261231T235959Z");
        assertThat(element.childText("WeekOfMonth")).isEqualTo("5");
    }
}
