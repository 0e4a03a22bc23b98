package dev.easgate.core.command.ping;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.WbxmlException;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Ping asks (MS-ASCMD 2.2.3.136): the heartbeat interval and the folders to monitor, either of which a later
 * Ping may omit to reuse the last one's (2.2.3.88.1, 2.2.3.70.1). Stored as the device's {@value #VALUE} value in
 * its WBXML form.
 *
 * @param heartbeatSeconds HeartbeatInterval, or {@code null} when omitted
 * @param folders          the Folders, or {@code null} when omitted
 */
public record PingRequest(Long heartbeatSeconds, List<Folder> folders) {
    /** The StateStore value name of the last Ping of a device. */
    public static final String VALUE = "last-ping";

    public PingRequest {
        folders = folders == null ? null : List.copyOf(folders);
    }

    /** One monitored folder: Id and Class (Email, Calendar, Contacts, Tasks, Notes). */
    public record Folder(String id, String folderClass) {
    }

    /** Thrown for a request that is not a well-formed Ping (Status 4). */
    static final class MalformedPingException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedPingException(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads a request body; {@code null} (no body) is a Ping that omits everything. */
    static PingRequest parse(WbxmlElement body) throws MalformedPingException {
        if (body == null) {
            return new PingRequest(null, null);
        }
        if (!body.matches("Ping:Ping")) {
            throw new MalformedPingException("root is " + body.tag().qualifiedName());
        }
        Long heartbeat = null;
        String interval = body.childText("Ping:HeartbeatInterval");
        if (interval != null) {
            try {
                heartbeat = Long.parseLong(interval.strip());
            } catch (NumberFormatException e) {
                throw new MalformedPingException("HeartbeatInterval is not a number");
            }
        }
        List<Folder> folders = null;
        WbxmlElement list = body.child("Ping:Folders");
        if (list != null) {
            folders = new ArrayList<>();
            for (WbxmlElement folder : list.children("Ping:Folder")) {
                String id = folder.childText("Ping:Id");
                if (id == null || id.isBlank()) {
                    throw new MalformedPingException("Folder without Id");
                }
                String folderClass = folder.childText("Ping:Class");
                folders.add(new Folder(id.strip(), folderClass == null ? "" : folderClass.strip()));
            }
            if (folders.isEmpty()) {
                throw new MalformedPingException("Folders without Folder");
            }
        }
        return new PingRequest(heartbeat, folders);
    }

    /** This request with what it omits taken from {@code last} (which may be {@code null}). */
    PingRequest orElse(PingRequest last) {
        if (last == null) {
            return this;
        }
        return new PingRequest(heartbeatSeconds != null ? heartbeatSeconds : last.heartbeatSeconds(),
                folders != null ? folders : last.folders());
    }

    /** Whether both parts are known. */
    boolean complete() {
        return heartbeatSeconds != null && folders != null;
    }

    List<String> folderIds() {
        return folders.stream().map(Folder::id).toList();
    }

    /** The Ping element of this request. */
    WbxmlElement toElement() {
        WbxmlElement.Builder ping = WbxmlElement.el(CodePage.PING, "Ping");
        if (heartbeatSeconds != null) {
            ping.child("HeartbeatInterval", heartbeatSeconds);
        }
        if (folders != null) {
            ping.child("Folders", list -> folders.forEach(folder -> list.child("Folder",
                    f -> f.child("Id", folder.id()).child("Class", folder.folderClass()))));
        }
        return ping.build();
    }

    byte[] encode() {
        return WbxmlEncoder.encode(toElement());
    }

    /** The stored request, or {@code null} when unreadable. */
    static PingRequest decode(byte[] bytes) {
        try {
            return parse(WbxmlDecoder.DEFAULT.decode(bytes));
        } catch (WbxmlException | MalformedPingException e) {
            return null;
        }
    }
}
