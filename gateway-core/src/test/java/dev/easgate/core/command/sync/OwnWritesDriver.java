package dev.easgate.core.command.sync;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a phone does around its own writes, over real HTTP: sync a folder to the end, write with or without
 * GetChanges, Ping with a short heartbeat, ask GetItemEstimate. Used by the own-writes contracts.
 */
final class OwnWritesDriver {
    /** Heartbeat of the test Pings in seconds; the servers run with heartbeat.min 1. */
    static final int SHORT_HEARTBEAT = 2;

    private OwnWritesDriver() {
    }

    /** A provisioned 16.1 device of {@code user}. */
    static EasTestClient device(GatewayTestServer server, TestUser user, String deviceId) {
        EasTestClient client = server.client(user.name(), user.password(), deviceId).protocolVersion("16.1");
        assertThat(client.provision().text("Status")).isEqualTo("1");
        return client;
    }

    /** The folder id of the given display name, from a FolderSync of the device. */
    static String folder(EasTestClient device, String displayName) {
        WbxmlElement answer = device.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        for (WbxmlElement add : answer.child("Changes").children("Add")) {
            if (add.childText("DisplayName").equals(displayName)) {
                return add.childText("ServerId");
            }
        }
        throw new AssertionError("no folder " + displayName + " in " + answer);
    }

    /** Waits until a Ping is parked on the server. */
    static void awaitParked(GatewayTestServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.gateway().services().heartbeat().parked("Ping") < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.gateway().services().heartbeat().parked("Ping")).isPositive();
    }

    /** A folder as a device holds it after syncing it to the end. */
    record Synced(String key, List<String> ids) {
    }

    /** Sync key 0, then Syncs with GetChanges until nothing more is available. */
    static Synced syncToEnd(EasTestClient device, String folderId) {
        WbxmlElement first = device.syncCollection("0", folderId, null);
        assertThat(first.childText("Status")).isEqualTo("1");
        String key = first.childText("SyncKey");
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            WbxmlElement collection = sync(device, key, folderId, true, null);
            if (collection == null) {
                return new Synced(key, ids); // the empty response: nothing (more) to send
            }
            assertThat(collection.childText("Status")).isEqualTo("1");
            key = collection.childText("SyncKey");
            WbxmlElement commands = collection.child("Commands");
            if (commands != null) {
                commands.children("Add").forEach(add -> ids.add(add.childText("ServerId")));
            }
            if (collection.child("MoreAvailable") == null) {
                return new Synced(key, ids);
            }
        }
        throw new AssertionError("the folder did not finish syncing in 20 rounds");
    }

    /**
     * A Sync of one collection with {@code GetChanges} as given and the commands, if any; the answered Collection,
     * or {@code null} for the empty response (MS-ASCMD 2.2.1.21: nothing to report).
     */
    static WbxmlElement sync(EasTestClient device, String key, String folderId, boolean getChanges,
                             Consumer<WbxmlElement.Builder> commands) {
        WbxmlElement request = el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", folderId);
            c.child("DeletesAsMoves", "0");
            c.child("GetChanges", getChanges ? "1" : "0");
            if (commands != null) {
                c.child("Commands", commands);
            }
        })).build();
        EasTestClient.Response response = device.post("Sync", request);
        assertThat(response.status()).isEqualTo(200);
        if (response.body() == null) {
            return null;
        }
        WbxmlElement collections = response.body().child("Collections");
        return collections == null ? null : collections.child("Collection");
    }

    /** A Sync carrying commands; returns the new key (fails unless the collection's Status is 1). */
    static String write(EasTestClient device, String key, String folderId, boolean getChanges,
                        Consumer<WbxmlElement.Builder> commands) {
        return written(device, key, folderId, getChanges, commands).childText("SyncKey");
    }

    /** A Sync carrying commands; returns the answered Collection (fails unless every status is 1). */
    static WbxmlElement written(EasTestClient device, String key, String folderId, boolean getChanges,
                                Consumer<WbxmlElement.Builder> commands) {
        WbxmlElement collection = sync(device, key, folderId, getChanges, commands);
        assertThat(collection).as("answer to a Sync with commands").isNotNull();
        assertThat(collection.childText("Status")).isEqualTo("1");
        WbxmlElement responses = collection.child("Responses");
        if (responses != null) {
            for (WbxmlElement response : responses.children()) {
                String status = response.childText("Status");
                assertThat(status == null ? "1" : status).as("status of " + response.tag().name()).isEqualTo("1");
            }
        }
        return collection;
    }

    /** The Ping's Status after a heartbeat of {@code seconds} on the given folders. */
    static String ping(EasTestClient device, int seconds, String... folderIds) {
        EasTestClient.Response response = device.post("Ping", pingRequest(seconds, folderIds));
        assertThat(response.status()).isEqualTo(200);
        return response.text("Status");
    }

    static WbxmlElement pingRequest(int seconds, String... folderIds) {
        return el(CodePage.PING, "Ping").child("HeartbeatInterval", seconds)
                .child("Folders", f -> {
                    for (String id : folderIds) {
                        f.child("Folder", x -> x.child("Id", id).child("Class", "Email"));
                    }
                }).build();
    }

    /** GetItemEstimate's Estimate for one collection at the device's key. */
    static long estimate(EasTestClient device, String key, String folderId) {
        EasTestClient.Response response = device.post("GetItemEstimate", el(CodePage.GET_ITEM_ESTIMATE,
                "GetItemEstimate").child("Collections", cs -> cs.child("Collection", c -> c
                        .child("AirSync:SyncKey", key).child("CollectionId", folderId))).build());
        WbxmlElement answer = response.body().child("Response");
        assertThat(answer.childText("Status")).isEqualTo("1");
        return Long.parseLong(answer.child("Collection").childText("Estimate"));
    }

    /**
     * The device's view of one folder after its own write: GetItemEstimate says 0, a Ping on the folder runs to its
     * heartbeat's end (Status 1, not 2), and the next Sync is the empty response.
     */
    static void assertNothingFor(EasTestClient device, String key, String folderId) {
        assertThat(estimate(device, key, folderId)).as("GetItemEstimate after the device's own write").isZero();
        assertThat(ping(device, SHORT_HEARTBEAT, folderId)).as("Ping after the device's own write").isEqualTo("1");
        WbxmlElement next = sync(device, key, folderId, true, null);
        assertThat(next == null || next.child("Commands") == null)
                .as("the Sync after the device's own write sends nothing: " + next).isTrue();
    }
}
