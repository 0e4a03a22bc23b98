package dev.easgate.backends.imap;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Which parked users keep their IMAP connection open between two polls of the change watcher: the first
 * {@code max} to park, until they unpark. The others' connection is closed after each poll, so the IMAP server
 * holds at most {@code max} connections (one process each on Dovecot, whose stock {@code service imap} allows 1024)
 * for the watcher of one node, and the watcher logs in anew for each poll of the rest. First come, kept until gone:
 * with more users than places, a least-recently-used choice would evict every user just before their next poll.
 */
final class HeldConnections {
    private final int max;
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    HeldConnections(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative");
        }
        this.max = max;
    }

    /** Drops the users no longer parked, then admits the given ones while places are free; returns the rest. */
    synchronized int admit(Collection<String> users, Predicate<String> parked) {
        held.removeIf(user -> !parked.test(user));
        int outside = 0;
        for (String user : users) {
            if (!held.contains(user)) {
                if (held.size() < max) {
                    held.add(user);
                } else {
                    outside++;
                }
            }
        }
        return outside;
    }

    boolean holds(String user) {
        return held.contains(user);
    }

    int size() {
        return held.size();
    }
}
