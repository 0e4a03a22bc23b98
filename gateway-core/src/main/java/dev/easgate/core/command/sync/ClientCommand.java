package dev.easgate.core.command.sync;

import dev.easgate.wbxml.WbxmlElement;

/** One command of a Sync request's Commands element (MS-ASCMD 2.2.3.32). */
public sealed interface ClientCommand {

    /** A new item: {@code clientId} is the phone's temporary id, answered with the ServerId (2.2.3.7.1). */
    record Add(String clientId, WbxmlElement applicationData) implements ClientCommand {
    }

    /**
     * A change to an item: only the elements sent (2.2.3.24). With {@code instanceId} (16.0+, AirSyncBase:InstanceId)
     * a change of one occurrence of a recurring event, else {@code null}.
     */
    record Change(String serverId, WbxmlElement applicationData, String instanceId) implements ClientCommand {
        public Change(String serverId, WbxmlElement applicationData) {
            this(serverId, applicationData, null);
        }
    }

    /**
     * A deletion (2.2.3.42.1); with DeletesAsMoves a move to Deleted Items. With {@code instanceId} (16.0+) the
     * deletion of one occurrence of a recurring event, else {@code null}.
     */
    record Delete(String serverId, String instanceId) implements ClientCommand {
        public Delete(String serverId) {
            this(serverId, null);
        }
    }

    /** A request for an item's full data (2.2.3.67.2). */
    record Fetch(String serverId) implements ClientCommand {
    }
}
