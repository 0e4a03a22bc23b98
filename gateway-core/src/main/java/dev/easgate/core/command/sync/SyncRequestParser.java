package dev.easgate.core.command.sync;

import dev.easgate.core.content.ApplicationDataReader;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Sync request body into a {@link SyncRequest}, and writes a request back (without commands) for the
 * cache that empty and Partial requests reuse (MS-ASCMD 2.2.1.21.1, 2.2.3.125). Elements the gateway keeps are
 * detached from the request buffer.
 */
public final class SyncRequestParser {
    /** MS-ASCMD 2.2.3.31.2: at most 1000 collections are meaningful; more is abuse. */
    static final int MAX_COLLECTIONS = 1000;

    private SyncRequestParser() {
    }

    public static SyncRequest parse(WbxmlElement sync) {
        if (!sync.matches("AirSync:Sync")) {
            throw new SyncProtocolException("root is " + sync.tag() + ", not AirSync:Sync");
        }
        List<CollectionRequest> collections = new ArrayList<>();
        WbxmlElement list = sync.child("AirSync:Collections");
        if (list != null) {
            Set<String> seen = new HashSet<>();
            for (WbxmlElement collection : list.children("AirSync:Collection")) {
                CollectionRequest parsed = collection(collection);
                if (!seen.add(parsed.collectionId())) {
                    throw new SyncProtocolException("collection " + parsed.collectionId() + " listed twice");
                }
                collections.add(parsed);
            }
            if (collections.size() > MAX_COLLECTIONS) {
                throw new SyncProtocolException(collections.size() + " collections");
            }
        }
        boolean partial = sync.child("AirSync:Partial") != null
                && !"0".equals(text(sync, "AirSync:Partial"));
        return new SyncRequest(collections, number(sync, "AirSync:WindowSize"), number(sync, "AirSync:Wait"),
                number(sync, "AirSync:HeartbeatInterval"), partial);
    }

    private static CollectionRequest collection(WbxmlElement collection) {
        String syncKey = text(collection, "AirSync:SyncKey");
        String collectionId = text(collection, "AirSync:CollectionId");
        if (syncKey == null || syncKey.isEmpty() || syncKey.length() > 64) {
            throw new SyncProtocolException("a collection without a valid SyncKey");
        }
        if (collectionId == null || collectionId.isEmpty()) {
            throw new SyncProtocolException("a collection without CollectionId");
        }
        List<WbxmlElement> options = new ArrayList<>();
        for (WbxmlElement option : collection.children("AirSync:Options")) {
            options.add(ApplicationDataReader.detach(option));
        }
        WbxmlElement supported = collection.child("AirSync:Supported");
        List<ClientCommand> commands = new ArrayList<>();
        WbxmlElement list = collection.child("AirSync:Commands");
        if (list != null) {
            if (syncKey.equals("0")) {
                // MS-ASCMD 2.2.3.32: Commands are not allowed with SyncKey 0
                throw new SyncProtocolException("Commands with SyncKey 0");
            }
            for (WbxmlElement command : list.children()) {
                commands.add(command(command));
            }
        }
        return new CollectionRequest(syncKey, collectionId, text(collection, "AirSync:Class"),
                flag(collection, "AirSync:GetChanges"), number(collection, "AirSync:WindowSize"),
                flag(collection, "AirSync:DeletesAsMoves"), options,
                supported == null ? null : ApplicationDataReader.detach(supported), commands);
    }

    private static ClientCommand command(WbxmlElement command) {
        String name = command.tag().qualifiedName();
        String serverId = text(command, "AirSync:ServerId");
        WbxmlElement data = command.child("AirSync:ApplicationData");
        switch (name) {
            case "AirSync:Add" -> {
                String clientId = text(command, "AirSync:ClientId");
                if (clientId == null || data == null) {
                    throw new SyncProtocolException("Add without ClientId or ApplicationData");
                }
                return new ClientCommand.Add(clientId, data);
            }
            case "AirSync:Change" -> {
                if (serverId == null || data == null) {
                    throw new SyncProtocolException("Change without ServerId or ApplicationData");
                }
                String instanceId = text(command, "AirSyncBase:InstanceId");
                if (instanceId == null) {
                    instanceId = text(data, "AirSyncBase:InstanceId");
                }
                return new ClientCommand.Change(serverId, data, instanceId);
            }
            case "AirSync:Delete" -> {
                if (serverId == null) {
                    throw new SyncProtocolException("Delete without ServerId");
                }
                return new ClientCommand.Delete(serverId, text(command, "AirSyncBase:InstanceId"));
            }
            case "AirSync:Fetch" -> {
                if (serverId == null) {
                    throw new SyncProtocolException("Fetch without ServerId");
                }
                return new ClientCommand.Fetch(serverId);
            }
            default -> throw new SyncProtocolException("unknown command " + name);
        }
    }

    /**
     * The request a later empty or Partial request stands for: {@code cached} with the collections of
     * {@code partial} replacing those of the same id (MS-ASCMD 2.2.3.125), Wait and HeartbeatInterval from the
     * newer request when it has them.
     */
    public static SyncRequest merge(SyncRequest cached, SyncRequest partial) {
        Map<String, CollectionRequest> byId = new LinkedHashMap<>();
        for (CollectionRequest collection : cached.collections()) {
            byId.put(collection.collectionId(), collection);
        }
        for (CollectionRequest collection : partial.collections()) {
            byId.put(collection.collectionId(), collection);
        }
        boolean newerTimers = partial.waitMinutes() != null || partial.heartbeatSeconds() != null;
        return new SyncRequest(new ArrayList<>(byId.values()),
                partial.windowSize() != null ? partial.windowSize() : cached.windowSize(),
                newerTimers ? partial.waitMinutes() : cached.waitMinutes(),
                newerTimers ? partial.heartbeatSeconds() : cached.heartbeatSeconds(), false);
    }

    /** The request as WBXML, without client commands (what is cached for the next empty or Partial request). */
    public static WbxmlElement write(SyncRequest request) {
        WbxmlElement.Builder sync = WbxmlElement.el(CodePage.AIR_SYNC, "Sync");
        sync.child("Collections", list -> {
            for (CollectionRequest c : request.collections()) {
                list.child("Collection", x -> {
                    x.optional("Class", c.className());
                    x.child("SyncKey", c.syncKey());
                    x.child("CollectionId", c.collectionId());
                    if (c.deletesAsMoves() != null) {
                        x.child("DeletesAsMoves", c.deletesAsMoves() ? "1" : "0");
                    }
                    if (c.getChanges() != null) {
                        x.child("GetChanges", c.getChanges() ? "1" : "0");
                    }
                    if (c.windowSize() != null) {
                        x.child("WindowSize", c.windowSize());
                    }
                    if (c.supported() != null) {
                        x.child(c.supported());
                    }
                    x.children(c.options());
                });
            }
        });
        if (request.waitMinutes() != null) {
            sync.child("Wait", request.waitMinutes());
        }
        if (request.heartbeatSeconds() != null) {
            sync.child("HeartbeatInterval", request.heartbeatSeconds());
        }
        if (request.windowSize() != null) {
            sync.child("WindowSize", request.windowSize());
        }
        return sync.build();
    }

    private static String text(WbxmlElement parent, String name) {
        String value = parent.childText(name);
        return value == null ? null : value.strip();
    }

    private static Integer number(WbxmlElement parent, String name) {
        String value = text(parent, name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new SyncProtocolException(name + " is not a number");
        }
    }

    /** A boolean element: empty or 1 is true, 0 false (MS-ASDTYPE 2.1). */
    private static Boolean flag(WbxmlElement parent, String name) {
        WbxmlElement element = parent.child(name);
        if (element == null) {
            return null;
        }
        String value = element.textOrOpaqueUtf8();
        return value == null || value.isBlank() || !value.strip().equals("0");
    }
}
