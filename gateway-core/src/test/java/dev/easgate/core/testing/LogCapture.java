package dev.easgate.core.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures every log event of a logger (the root by default) while open, as formatted lines. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture root() {
        return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** Every captured line: logger, message with arguments, MDC, and the stack trace's messages. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        synchronized (appender.list) {
            for (ILoggingEvent e : appender.list) {
                StringBuilder line = new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
                if (!e.getMDCPropertyMap().isEmpty()) {
                    line.append(' ').append(e.getMDCPropertyMap());
                }
                for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                    line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
                }
                out.add(line.toString());
            }
        }
        return out;
    }

    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return new ArrayList<>(appender.list);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
