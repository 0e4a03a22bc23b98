/**
 * A single node's state on its own disk: the {@link dev.easgate.backends.state.StateStore} in an embedded SQLite
 * database (WAL journal, a commit per change, fsync before an answer leaves), so that a node without Redis keeps its
 * devices' keys and sync state across restarts and crashes.
 */
@NonNullApi
package dev.easgate.backends.disk;

import reactor.util.annotation.NonNullApi;
