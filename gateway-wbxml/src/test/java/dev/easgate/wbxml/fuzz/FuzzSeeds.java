package dev.easgate.wbxml.fuzz;

import static dev.easgate.wbxml.WbxmlElement.el;

import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed corpus of the fuzz tests: requests and responses of Sync, FolderSync, Ping and Provision (and a
 * SendMail with a MIME body), built with the {@link WbxmlElement} builder so that they exercise page switches, text,
 * empty text, empty tags, opaque data and multi-byte lengths.
 */
final class FuzzSeeds {
    private FuzzSeeds() {
    }

    /** Name to document, in a fixed order. */
    static Map<String, WbxmlElement> documents() {
        Map<String, WbxmlElement> seeds = new LinkedHashMap<>();
        seeds.put("sync-request", el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs
                        .child("Collection", c -> c
                                .child("SyncKey", "0")
                                .child("CollectionId", "5")
                                .empty("DeletesAsMoves")
                                .child("GetChanges", "1")
                                .child("WindowSize", 50)
                                .child("Options", o -> o
                                        .child("FilterType", 3)
                                        .child("AirSyncBase:BodyPreference", bp -> bp
                                                .child("Type", 2)
                                                .child("TruncationSize", 51200))
                                        .child("MIMESupport", 0))))
                .build());
        seeds.put("sync-response", el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs
                        .child("Collection", c -> c
                                .child("SyncKey", "{3a4b5c6d-0001}2")
                                .child("CollectionId", "5")
                                .child("Status", 1)
                                .child("Commands", cmd -> cmd
                                        .child("Add", add -> add
                                                .child("ServerId", "5:17")
                                                .child("ApplicationData", data -> data
                                                        .child("Email:To", "\"B\u00e9a\" <bea@example.org>")
                                                        .child("Email:From", "ann@example.com")
                                                        .child("Email:Subject", "caf\u00e9 \uD83D\uDE00 <&>")
                                                        .child("Email:DateReceived", "2025-01-02T03:04:05.000Z")
                                                        .child("Email:Read", 0)
                                                        .child("AirSyncBase:Body", body -> body
                                                                .child("Type", 1)
                                                                .child("EstimatedDataSize", 300)
                                                                .child("Data", "x".repeat(300)))))
                                        .child("Delete", d -> d.child("ServerId", "5:3")))
                                .empty("MoreAvailable")))
                .build());
        seeds.put("foldersync-request", el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build());
        seeds.put("foldersync-response", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("Status", 1)
                .child("SyncKey", "1")
                .child("Changes", ch -> ch
                        .child("Count", 3)
                        .child("Add", a -> a.child("ServerId", "2").child("ParentId", "0")
                                .child("DisplayName", "Inbox").child("Type", 2))
                        .child("Add", a -> a.child("ServerId", "3").child("ParentId", "2")
                                .child("DisplayName", "").child("Type", 12))
                        .child("Update", a -> a.child("ServerId", "4").child("ParentId", "0")
                                .child("DisplayName", "\u65e5\u672c\u8a9e").child("Type", 1)))
                .build());
        seeds.put("ping-request", el(CodePage.PING, "Ping")
                .child("HeartbeatInterval", 480)
                .child("Folders", f -> f
                        .child("Folder", x -> x.child("Id", "5").child("Class", "Email"))
                        .child("Folder", x -> x.child("Id", "6").child("Class", "Calendar")))
                .build());
        seeds.put("ping-response", el(CodePage.PING, "Ping")
                .child("Status", 2)
                .child("Folders", f -> f.child("Folder", "5"))
                .build());
        seeds.put("provision-request", el(CodePage.PROVISION, "Provision")
                .child("Settings:DeviceInformation", di -> di
                        .child("Set", s -> s
                                .child("Model", "Pixel 9")
                                .child("FriendlyName", "Ann's phone")
                                .child("OS", "Android 15")
                                .child("UserAgent", "EasClient/1.0")))
                .child("Policies", ps -> ps.child("Policy", p -> p.child("PolicyType", "MS-EAS-Provisioning-WBXML")))
                .build());
        seeds.put("provision-response", el(CodePage.PROVISION, "Provision")
                .child("Status", 1)
                .child("Policies", ps -> ps.child("Policy", p -> p
                        .child("PolicyType", "MS-EAS-Provisioning-WBXML")
                        .child("Status", 1)
                        .child("PolicyKey", "3942919513")
                        .child("Data", d -> d.child("EASProvisionDoc", doc -> doc
                                .child("DevicePasswordEnabled", 1)
                                .child("MinDevicePasswordLength", 6)
                                .child("MaxInactivityTimeDeviceLock", 900)
                                .child("AllowCamera", 1)))))
                .build());
        byte[] mime = ("From: ann@example.com\r\nTo: bea@example.org\r\nSubject: hi\r\n\r\n" + "body ".repeat(40))
                .getBytes(StandardCharsets.UTF_8);
        seeds.put("sendmail-opaque", el(CodePage.COMPOSE_MAIL, "SendMail")
                .child("ClientId", "42")
                .empty("SaveInSentItems")
                .opaque("Mime", mime)
                .build());
        return seeds;
    }

    /**
     * Writes the seeds as Jazzer's regression inputs: run from the module directory with the test class path, e.g.
     * {@code java -cp target/classes:target/test-classes:... dev.easgate.wbxml.fuzz.FuzzSeeds}.
     */
    public static void main(String[] args) throws IOException {
        Path base = Path.of(args.length > 0 ? args[0] : "src/test/resources",
                "dev/easgate/wbxml/fuzz/WbxmlJazzerFuzzTestInputs");
        for (String method : List.of("decodeRoundTrips", "decodeRoundTripsWithSmallLimits")) {
            Path dir = Files.createDirectories(base.resolve(method));
            for (Map.Entry<String, byte[]> seed : encoded().entrySet()) {
                Files.write(dir.resolve(seed.getKey()), seed.getValue());
            }
        }
    }

    /** The encoded seeds, in the order of {@link #documents()}. */
    static Map<String, byte[]> encoded() {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        documents().forEach((name, document) -> bytes.put(name, WbxmlEncoder.encode(document)));
        return bytes;
    }
}
