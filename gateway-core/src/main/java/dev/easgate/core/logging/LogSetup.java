package dev.easgate.core.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.easgate.core.config.GatewayConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Applies the log options to logback at start-up: JSON lines instead of text on the console appenders, and the
 * audit log in its own file. Does nothing when SLF4J is not bound to logback.
 */
public final class LogSetup {
    private LogSetup() {
    }

    public static void apply(GatewayConfig config) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        String format = config.text(LogOptions.FORMAT).toLowerCase(java.util.Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("log.format must be text or json, got '" + format + "'");
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (format.equals("json")) {
            List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
            for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
                appenders.add(it.next());
            }
            for (Appender<ILoggingEvent> appender : appenders) {
                if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
                    console.stop();
                    console.setEncoder(json(context));
                    console.start();
                }
            }
        }
        String auditFile = config.text(LogOptions.AUDIT_FILE);
        if (!auditFile.isEmpty()) {
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setContext(context);
            file.setName("AUDIT");
            file.setFile(auditFile);
            file.setAppend(true);
            file.setEncoder(format.equals("json") ? json(context) : pattern(context));
            file.start();
            Logger audit = context.getLogger("easgate.audit");
            audit.addAppender(file);
            audit.setAdditive(false);
        }
    }

    static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder encoder = new OneLineJsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithArguments(false);
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> pattern(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %oneLineMsg%oneLineEx%n");
        encoder.start();
        return encoder;
    }
}
