package dev.easgate.backends.bus;

import java.util.Set;

/**
 * The users with at least one request (Ping or long Sync) parked on this node now, and the folders those requests
 * watch: what the fallback watchers of stores that cannot push poll. Kept by the heartbeat hub on park and unpark
 * (nothing per event); reading it copies nothing but the one user's folder set asked for.
 */
public interface ParkedUsers {
    /** The users parked on this node now: a live, unmodifiable view (iterating it is weakly consistent). */
    Set<String> parkedUsers();

    /** The folder ids the user's parked requests on this node watch (a copy; empty when none is parked). */
    Set<String> parkedFolders(String user);

    /** Nobody is ever parked: for stores used without a hub. */
    ParkedUsers NONE = new ParkedUsers() {
        @Override
        public Set<String> parkedUsers() {
            return Set.of();
        }

        @Override
        public Set<String> parkedFolders(String user) {
            return Set.of();
        }
    };
}
