package dev.easgate.bench.scenario;

import java.util.Locale;

/** How the wake scenario makes a change for a parked device. */
public enum ChangeSource {
    /**
     * A second device of the same user sends a mail to the user's own address (SendMail): protocol only, so it works
     * against any EAS server; the mail lands in the Inbox the parked device watches.
     */
    SYNC,
    /**
     * Mail delivered over LMTP to the store holding the user's mailbox, as an MTA delivers it: the store changes and
     * its change event wakes the device (started nodes: each node's memory backend listens for LMTP; against
     * {@code --url}: the LMTP servers given, e.g. the Dovecot behind an IMAP-backed gateway).
     */
    LMTP,
    /**
     * As {@link #LMTP}, with the started nodes on the Redis change bus even when there is one: the store's change
     * event goes through Redis pub/sub before it wakes the device.
     */
    REDIS;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether changes are mail delivered over LMTP. */
    public boolean delivers() {
        return this != SYNC;
    }

    public static ChangeSource of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
