package dev.easgate.core.logging;

import dev.easgate.core.http.FrontGuards;
import dev.easgate.wbxml.Redaction;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlXml;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-device debug logging switched on at run time (admin API): the requests and responses of one user, or one
 * device of a user, are logged as XML on the logger {@code easgate.debug}, with user content (names, addresses,
 * subjects, bodies, MIME, passwords) replaced by its length unless the administrator explicitly asked for content.
 * Each switch expires on its own. Per node: the admin API of each node switches its own.
 */
public final class DeviceDebug implements FrontGuards.RequestDebug {
    private static final Logger DEBUG = LoggerFactory.getLogger("easgate.debug");

    /** One switch: a user, optionally one device ("" = all), whether content is shown, until when. */
    public record Target(String user, String deviceId, boolean content, Instant until) {
    }

    private final Clock clock;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();

    public DeviceDebug(Clock clock) {
        this.clock = clock;
    }

    private static String key(String user, String deviceId) {
        return user + "\0" + (deviceId == null ? "" : deviceId);
    }

    public void enable(Target target) {
        targets.put(key(target.user(), target.deviceId()), target);
    }

    /** Switches off one target; returns whether it was on. */
    public boolean disable(String user, String deviceId) {
        return targets.remove(key(user, deviceId)) != null;
    }

    public List<Target> targets() {
        Instant now = clock.instant();
        targets.values().removeIf(t -> !t.until().isAfter(now));
        return new ArrayList<>(targets.values());
    }

    private Target target(String user, String deviceId) {
        if (targets.isEmpty()) {
            return null;
        }
        Target t = targets.get(key(user, deviceId));
        if (t == null) {
            t = targets.get(key(user, ""));
        }
        if (t != null && !t.until().isAfter(clock.instant())) {
            targets.remove(key(t.user(), t.deviceId()), t);
            return null;
        }
        return t;
    }

    @Override
    public boolean enabled(String user, String deviceId) {
        return target(user, deviceId) != null;
    }

    @Override
    public void log(String user, String deviceId, String command, String direction, WbxmlElement body) {
        Target t = target(user, deviceId);
        if (t == null) {
            return;
        }
        try {
            String xml = body == null ? "(no WBXML body)"
                    : WbxmlXml.render(body, t.content() ? Redaction.NONE : Redaction.USER_CONTENT);
            DEBUG.info("{} user={} device={} cmd={} content={}\n{}", direction, user, deviceId, command,
                    t.content() ? "shown" : "redacted", xml);
        } catch (RuntimeException e) {
            DEBUG.warn("cannot render the {} of user={} device={} cmd={}: {}", direction, user, deviceId, command,
                    e.toString());
        }
    }
}
