package dev.easgate.core.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback conversion word {@code %oneLineMsg}: the formatted message with every line-breaking or control character
 * escaped ({@link OneLine}), so no value that reaches a message, escaped at its call site or not, can start a
 * forged log line.
 */
public final class OneLineMessageConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return OneLine.of(event.getFormattedMessage());
    }
}
