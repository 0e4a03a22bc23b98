package dev.easgate.bench.scenario;

import java.util.Locale;

/** How the wake scenario makes a change for a parked device. */
public enum ChangeSource {
    /**
     * A second device of the same user sends a mail to the user's own address (SendMail): protocol only, so it works
     * against any EAS server; the mail lands in the Inbox the parked device watches.
     */
    SYNC,
    /** PUBLISH on the user's Redis change channel, as a mail server would (our gateway with --redis only). */
    REDIS;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ChangeSource of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
