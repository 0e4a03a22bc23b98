package dev.easgate.bench.device;

import static dev.easgate.wbxml.WbxmlElement.el;

import dev.easgate.wbxml.Opaque;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;

/** The request bodies a simulated phone sends (MS-ASCMD, MS-ASPROV), built with the project's WBXML elements. */
public final class EasRequests {
    private EasRequests() {
    }

    /** Provision phase 1 (download the policy) or phase 2 (acknowledge it with the temporary key). */
    public static WbxmlElement provision(String temporaryKey) {
        return el(CodePage.PROVISION, "Provision").child("Policies", p -> p.child("Policy", x -> {
            x.child("PolicyType", "MS-EAS-Provisioning-WBXML");
            if (temporaryKey != null) {
                x.child("PolicyKey", temporaryKey).child("Status", "1");
            }
        })).build();
    }

    public static WbxmlElement folderSync(String syncKey) {
        return el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", syncKey).build();
    }

    /** Sync 0 (no GetChanges) or a Sync asking for up to {@code windowSize} changes with plain-text bodies. */
    public static WbxmlElement sync(String collectionId, String syncKey, int windowSize, int truncationBytes) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", syncKey).child("CollectionId", collectionId);
            if (!"0".equals(syncKey)) {
                c.child("GetChanges", "1").child("WindowSize", windowSize)
                        .child("Options", o -> o.child("AirSyncBase:BodyPreference", b -> b
                                .child("Type", 1).child("TruncationSize", truncationBytes)));
            }
        })).build();
    }

    public static WbxmlElement ping(int heartbeatSeconds, String folderId) {
        return el(CodePage.PING, "Ping").child("HeartbeatInterval", heartbeatSeconds)
                .child("Folders", fs -> fs.child("Folder", f -> f.child("Id", folderId).child("Class", "Email")))
                .build();
    }

    /** SendMail (14.0+ WBXML form) of a small plain-text message, not saved in Sent Items. */
    public static WbxmlElement sendMail(String clientId, String from, String to, String subject) {
        String mime = "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject
                + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + subject + "\r\n";
        return el(CodePage.COMPOSE_MAIL, "SendMail").child("ClientId", clientId)
                .opaque("Mime", Opaque.of(mime.getBytes(StandardCharsets.UTF_8))).build();
    }
}
