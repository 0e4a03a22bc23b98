package dev.easgate.core.command.sync;

import java.util.List;

/**
 * A parsed Sync request (MS-ASCMD 2.2.1.21).
 *
 * @param collections      the collections, in request order
 * @param windowSize       the request-level WindowSize (all collections together), or {@code null}
 * @param waitMinutes      Wait, or {@code null}
 * @param heartbeatSeconds HeartbeatInterval, or {@code null}
 * @param partial          Partial: only some collections are listed, the rest come from the cached request
 *                         (MS-ASCMD 2.2.3.125)
 */
public record SyncRequest(List<CollectionRequest> collections, Integer windowSize, Integer waitMinutes,
                          Integer heartbeatSeconds, boolean partial) {
    public SyncRequest {
        collections = List.copyOf(collections);
    }

    public boolean hasClientCommands() {
        return collections.stream().anyMatch(c -> !c.commands().isEmpty());
    }

    /** This request, without client commands, holding nothing of the request's buffer (to outlive it). */
    public SyncRequest detached() {
        return new SyncRequest(collections.stream().map(CollectionRequest::detached).toList(), windowSize,
                waitMinutes, heartbeatSeconds, partial);
    }
}
