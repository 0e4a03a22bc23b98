package dev.easgate.core.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one line per admin action on the logger {@code easgate.audit} (its own appender in
 * logback.xml), saying who did what to which user and device and how it ended. Never the token itself.
 */
public final class AuditLog {
    private static final Logger AUDIT = LoggerFactory.getLogger("easgate.audit");

    private AuditLog() {
    }

    public static void record(String actor, String action, String user, String device, String result) {
        AUDIT.info("actor={} action={} user={} device={} result={}", actor, action, dash(user), dash(device),
                result);
    }

    private static String dash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
