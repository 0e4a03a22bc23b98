package dev.easgate.core.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * Logback conversion word {@code %request}: {@code [user/device Command] } for a line written while serving an EAS
 * request (from the MDC, see {@link RequestMdc}), nothing otherwise.
 */
public final class RequestTagsConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        String user = mdc.get(RequestMdc.USER);
        if (user == null) {
            return "";
        }
        // RequestMdc puts them escaped (LogText); a value put in the MDC by other code still cannot break the line
        return "[" + OneLine.of(user) + "/" + OneLine.of(orDash(mdc.get(RequestMdc.DEVICE))) + " "
                + OneLine.of(orDash(mdc.get(RequestMdc.COMMAND))) + "] ";
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
