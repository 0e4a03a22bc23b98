package dev.easgate.core.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback conversion word {@code %oneLineEx}: the stack trace on the record's own line, its line breaks written as
 * {@code \n} and tabs as {@code \t} (an exception message may carry a client's value too). Read it whole with
 * {@code sed 's/\\n/\n/g; s/\\t/\t/g'}.
 */
public final class OneLineThrowableConverter extends ThrowableProxyConverter {
    @Override
    public String convert(ILoggingEvent event) {
        String trace = super.convert(event);
        if (trace == null || trace.isEmpty()) {
            return "";
        }
        // the trace starts with a line break before the exception (CoreConstants.LINE_SEPARATOR): a space instead
        return " " + OneLine.of(trace.strip());
    }
}
