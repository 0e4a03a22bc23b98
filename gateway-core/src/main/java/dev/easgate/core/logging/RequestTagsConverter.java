package dev.easgate.core.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.easgate.backends.logging.LogText;
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
        // the user name and device id come from the client: escaped, so they cannot break the line
        return "[" + LogText.escape(user) + "/" + LogText.escape(mdc.get(RequestMdc.DEVICE)) + " "
                + LogText.escape(mdc.get(RequestMdc.COMMAND)) + "] ";
    }
}
