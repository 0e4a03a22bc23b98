package dev.easgate.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.AdminTestClient;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every admin action over real HTTP against a running gateway: list, wipe (delivered on the next Provision, the
 * acknowledgement shown), account-only wipe, resync (all and one folder), remove, block (device, type, user
 * agent), per-device debug, the audit log, and the token check. Run on the memory state store and on Redis.
 */
abstract class AdminApiContract {
    static final String TOKEN = "adm-tok-7f3c9e";
    static GatewayTestServer server;
    static AdminTestClient admin;

    static void startGateway(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(extra);
        options.put("admin.port", "0");
        options.put("admin.token", TOKEN);
        server = GatewayTestServer.start(options);
        admin = new AdminTestClient(server.gateway().adminPort(), TOKEN);
    }

    @AfterAll
    static void stopGateway() {
        if (server != null) {
            server.close();
        }
    }

    static WbxmlElement folderSync(String key) {
        return WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", key).build();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> deviceIn(AdminTestClient.Answer list, String deviceId) {
        for (Object d : (List<Object>) list.object().get("devices")) {
            Map<String, Object> device = (Map<String, Object>) d;
            if (deviceId.equals(device.get("deviceId"))) {
                return device;
            }
        }
        return null;
    }

    @Test
    void refusesWithoutTheToken() {
        assertThat(new AdminTestClient(server.gateway().adminPort(), null).get("/admin/v1/users/demo/devices")
                .status()).isEqualTo(401);
        assertThat(new AdminTestClient(server.gateway().adminPort(), "wrong").get("/admin/v1/users/demo/devices")
                .status()).isEqualTo(401);
    }

    @Test
    void listsAUsersDevicesWithTheirDetails() {
        EasTestClient phone = server.client("alice", "list-1").deviceType("iPhone").userAgent("Apple-iPhone/1");
        phone.provision();
        assertThat(phone.post("FolderSync", folderSync("0")).text("Status")).isEqualTo("1");
        AdminTestClient.Answer list = admin.get("/admin/v1/users/alice/devices");
        assertThat(list.status()).isEqualTo(200);
        Map<String, Object> device = deviceIn(list, "list-1");
        assertThat(device).isNotNull();
        assertThat(device).containsEntry("deviceType", "iPhone").containsEntry("userAgent", "Apple-iPhone/1")
                .containsEntry("protocolVersion", "16.1").containsEntry("policy", "provisioned")
                .containsEntry("wipe", "none").containsKeys("model", "os", "lastSync", "lastPing");
        assertThat(admin.get("/admin/v1/users/alice/devices/list-1").object()).containsEntry("deviceId", "list-1");
        assertThat(admin.get("/admin/v1/users/alice/devices/nope").status()).isEqualTo(404);
    }

    @Test
    void wipeIsDeliveredOnTheNextProvisionAndItsAcknowledgementShown() {
        try (LogCapture audit = LogCapture.of("easgate.audit")) {
            EasTestClient phone = server.client("bob", "wipe-a");
            phone.provision();
            AdminTestClient.Answer wipe = admin.post("/admin/v1/users/bob/devices/wipe-a/wipe", "");
            assertThat(wipe.status()).isEqualTo(200);
            assertThat(wipe.object()).containsEntry("wipe", "wipe-requested");

            assertThat(phone.post("FolderSync", folderSync("0")).text("Status")).isEqualTo("140");
            EasTestClient.Response directive = phone.post("Provision",
                    WbxmlElement.el(CodePage.PROVISION, "Provision").build());
            assertThat(directive.body().child("RemoteWipe")).isNotNull();
            phone.post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                    .child("RemoteWipe", w -> w.child("Status", "1")).build());

            assertThat(deviceIn(admin.get("/admin/v1/users/bob/devices"), "wipe-a"))
                    .containsEntry("wipe", "wipe-acknowledged");
            assertThat(audit.lines()).anyMatch(line -> line.contains("action=wipe") && line.contains("user=bob")
                    && line.contains("device=wipe-a") && line.contains("result=requested")
                    && line.contains("actor=admin@127.0.0.1"));
            assertThat(String.join("\n", audit.lines())).doesNotContain(TOKEN);
        }
    }

    @Test
    void accountOnlyWipeIsDeliveredAndAcknowledged() {
        EasTestClient phone = server.client("bob", "wipe-b");
        phone.provision();
        assertThat(admin.post("/admin/v1/users/bob/devices/wipe-b/account-wipe", "").object())
                .containsEntry("wipe", "account-wipe-requested");
        EasTestClient.Response directive = phone.post("Provision",
                WbxmlElement.el(CodePage.PROVISION, "Provision").build());
        assertThat(directive.body().child("AccountOnlyRemoteWipe")).isNotNull();
        phone.post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("AccountOnlyRemoteWipe", w -> w.child("Status", "1")).build());
        assertThat(admin.get("/admin/v1/users/bob/devices/wipe-b").object())
                .containsEntry("wipe", "account-wipe-acknowledged");
        assertThat(admin.post("/admin/v1/users/bob/devices/none/wipe", "").status()).isEqualTo(404);
    }

    @Test
    void resyncForgetsTheSyncStateOfAllFoldersOrOne() {
        EasTestClient phone = server.client("demo", "resync-1");
        phone.provision();
        EasTestClient.Response first = phone.post("FolderSync", folderSync("0"));
        String key = first.text("SyncKey");
        assertThat(phone.post("FolderSync", folderSync(key)).text("Status")).isEqualTo("1");

        assertThat(admin.post("/admin/v1/users/demo/devices/resync-1/resync?folder=1", "").status())
                .isEqualTo(200);
        assertThat(phone.post("FolderSync", folderSync(key)).text("Status")).isEqualTo("1");

        assertThat(admin.post("/admin/v1/users/demo/devices/resync-1/resync", "").object())
                .containsEntry("resync", "all");
        // the hierarchy state is gone: the old key is refused (status 9), the device starts again from 0
        assertThat(phone.post("FolderSync", folderSync(key)).text("Status")).isEqualTo("9");
        assertThat(phone.post("FolderSync", folderSync("0")).text("Status")).isEqualTo("1");
    }

    @Test
    void removeForgetsTheDevice() {
        EasTestClient phone = server.client("demo", "remove-1");
        phone.provision();
        assertThat(admin.delete("/admin/v1/users/demo/devices/remove-1").status()).isEqualTo(200);
        assertThat(deviceIn(admin.get("/admin/v1/users/demo/devices"), "remove-1")).isNull();
        // it comes back as a new device that must provision again
        assertThat(phone.post("FolderSync", folderSync("0")).text("Status")).isEqualTo("142");
        assertThat(admin.delete("/admin/v1/users/demo/devices/remove-1").status()).isEqualTo(200);
    }

    @Test
    void blockedDevicesTypesAndAgentsAreRefused() {
        EasTestClient phone = server.client("alice", "block-1");
        phone.provision();
        assertThat(admin.post("/admin/v1/users/alice/devices/block-1/block", "").status()).isEqualTo(200);
        assertThat(phone.post("FolderSync", folderSync("0")).text("Status")).isEqualTo("129");
        assertThat(phone.protocolVersion("12.1").post("FolderSync", folderSync("0")).status()).isEqualTo(403);
        assertThat(admin.delete("/admin/v1/blocks?kind=device&value=alice/block-1").status()).isEqualTo(200);
        assertThat(phone.protocolVersion("16.1").post("FolderSync", folderSync("0")).text("Status"))
                .isEqualTo("1");

        EasTestClient odd = server.client("alice", "block-2").deviceType("OddPhone").userAgent("Odd/2.0");
        assertThat(admin.post("/admin/v1/blocks", "{\"kind\":\"device-type\",\"value\":\"oddphone\"}").status())
                .isEqualTo(200);
        assertThat(odd.post("FolderSync", folderSync("0")).text("Status")).isEqualTo("129");
        admin.delete("/admin/v1/blocks?kind=device-type&value=oddphone");

        assertThat(admin.post("/admin/v1/blocks", "{\"kind\":\"user-agent\",\"value\":\"Odd/\"}").status())
                .isEqualTo(200);
        assertThat(admin.get("/admin/v1/blocks").body()).contains("\"user-agent\"", "Odd/");
        assertThat(odd.post("FolderSync", folderSync("0")).text("Status")).isEqualTo("129");
        admin.delete("/admin/v1/blocks?kind=user-agent&value=Odd/");
        assertThat(odd.provision().text("Status")).isEqualTo("1");
        assertThat(admin.post("/admin/v1/blocks", "{\"kind\":\"colour\",\"value\":\"x\"}").status())
                .isEqualTo(400);
    }

    @Test
    void perDeviceDebugLogsRedactedRequestsAndResponses() {
        EasTestClient phone = server.client("demo", "debug-1");
        phone.provision();
        try (LogCapture debug = LogCapture.of("easgate.debug")) {
            assertThat(admin.post("/admin/v1/debug", "{\"user\":\"demo\",\"device\":\"debug-1\"}").status())
                    .isEqualTo(200);
            phone.post("FolderSync", folderSync("0"));
            server.client("demo", "other-device").post("FolderSync", folderSync("0"));
            List<String> lines = debug.lines();
            assertThat(lines).anyMatch(l -> l.contains("request user=demo device=debug-1 cmd=FolderSync")
                    && l.contains("<FolderSync"));
            assertThat(lines).anyMatch(l -> l.contains("response user=demo device=debug-1")
                    && l.contains("DisplayName"));
            assertThat(lines).noneMatch(l -> l.contains("other-device"));
            // folder names are user content: redacted by default
            assertThat(String.join("\n", lines)).doesNotContain("Sent Items");
            assertThat(admin.get("/admin/v1/debug").body()).contains("debug-1");
            assertThat(admin.delete("/admin/v1/debug?user=demo&device=debug-1").status()).isEqualTo(200);
        }
    }
}
