package dev.easgate.core.command.sync;

import dev.easgate.wbxml.WbxmlElement;

/** One command of a Sync request's Commands element (MS-ASCMD 2.2.3.32). */
public sealed interface ClientCommand {

    /** A new item: {@code clientId} is the phone's temporary id, answered with the ServerId (2.2.3.7.1). */
    record Add(String clientId, WbxmlElement applicationData) implements ClientCommand {
    }

    /** A change to an item: only the elements sent (2.2.3.24). */
    record Change(String serverId, WbxmlElement applicationData) implements ClientCommand {
    }

    /** A deletion (2.2.3.42.1); with DeletesAsMoves a move to Deleted Items. */
    record Delete(String serverId) implements ClientCommand {
    }

    /** A request for an item's full data (2.2.3.67.2). */
    record Fetch(String serverId) implements ClientCommand {
    }
}
