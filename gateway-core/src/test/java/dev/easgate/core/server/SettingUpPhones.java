package dev.easgate.core.server;

import dev.easgate.core.testing.EasTestClient;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The phones of {@link DeviceStateFootprintTest} while they set up, run as a process of their own so that their
 * clients, connections and buffers are not in the heap the test measures. Each phone does what eas-bench's does
 * when the account is added: the two-phase Provision, FolderSync 0, Sync 0 of the Inbox and Syncs until nothing
 * more is available. Then writes one Ping per phone (its Inbox, a long heartbeat, its policy key) as raw HTTP
 * requests in {@link dev.easgate.core.heartbeat.ParkingPhones}'s file format, prints {@code ready N} and exits.
 *
 * <p>Usage: {@code SettingUpPhones BASE_URI PASSWORD NAME_PREFIX COUNT PING_FILE}; phone {@code i} is user
 * {@code prefix%05d} with device {@code PREFIX%05dPHONE}.
 */
public final class SettingUpPhones {
    private static final int THREADS = 8;

    private SettingUpPhones() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        String password = args[1];
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        Path pings = Path.of(args[4]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        List<Future<byte[]>> phones = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String user = String.format("%s%05d", prefix, i);
            String device = String.format("%s%05dPHONE", prefix.toUpperCase(Locale.ROOT), i);
            phones.add(threads.submit(() -> setUp(new EasTestClient(http, base, user, password, device)
                    .deviceType("EasBench").userAgent("eas-bench/1.0"), base, user, password)));
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(pings))) {
            out.writeInt(count);
            for (Future<byte[]> phone : phones) {
                byte[] request = phone.get();
                out.writeInt(request.length);
                out.write(request);
            }
        }
        threads.shutdown();
        System.out.println("ready " + count);
        System.out.flush();
        System.exit(0); // the HTTP client's threads would hold the process a while
    }

    /** Sets the phone up and returns its Ping. */
    private static byte[] setUp(EasTestClient phone, URI base, String user, String password) {
        EasTestClient.Response provision = phone.provision();
        if (!"1".equals(provision.text("Status")) || phone.policyKey() == null) {
            throw new IllegalStateException(user + ": Provision answered HTTP " + provision.status());
        }
        EasTestClient.Response folders = phone.post("FolderSync", WbxmlElement.el(CodePage.FOLDER_HIERARCHY,
                "FolderSync").child("SyncKey", "0").build());
        String inbox = null;
        for (WbxmlElement add : folders.body().child("Changes").children("Add")) {
            if ("2".equals(add.childText("Type"))) {
                inbox = add.childText("ServerId");
            }
        }
        if (inbox == null) {
            throw new IllegalStateException(user + ": FolderSync listed no Inbox");
        }
        String key = phone.syncCollection("0", inbox, null).childText("SyncKey");
        for (int round = 0; round < 100; round++) {
            String id = inbox;
            String current = key;
            EasTestClient.Response sync = phone.post("Sync", WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                    .child("Collections", cs -> cs.child("Collection", c -> c.child("SyncKey", current)
                            .child("CollectionId", id).child("GetChanges", "1").child("WindowSize", 100)
                            .child("Options", o -> o.child("AirSyncBase:BodyPreference", b -> b
                                    .child("Type", 1).child("TruncationSize", 2048)))))
                    .build());
            if (sync.status() != 200) {
                throw new IllegalStateException(user + ": Sync answered HTTP " + sync.status());
            }
            if (sync.body() == null) {
                break; // nothing changed: the empty answer of MS-ASCMD 2.2.3.166
            }
            WbxmlElement collection = sync.body().child("Collections").child("Collection");
            key = collection.childText("SyncKey");
            if (collection.child("MoreAvailable") == null) {
                break;
            }
        }
        return ping(base, user, password, phone.deviceId(), phone.policyKey(), inbox);
    }

    /** A Ping as eas-bench's phones send it: one folder, a long heartbeat, their headers. */
    private static byte[] ping(URI base, String user, String password, String device, String policyKey,
                               String folderId) {
        byte[] body = WbxmlEncoder.encode(WbxmlElement.el(CodePage.PING, "Ping").child("HeartbeatInterval", 3000)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", folderId).child("Class", "Email")))
                .build());
        String head = "POST /Microsoft-Server-ActiveSync?Cmd=Ping&User=" + user + "&DeviceId=" + device
                + "&DeviceType=EasBench HTTP/1.1\r\n"
                + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                + "Authorization: Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8)) + "\r\n"
                + "User-Agent: eas-bench/1.0\r\n"
                + "MS-ASProtocolVersion: 16.1\r\n"
                + "X-MS-PolicyKey: " + policyKey + "\r\n"
                + "Content-Type: application/vnd.ms-sync.wbxml\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(body);
        return request.toByteArray();
    }
}
