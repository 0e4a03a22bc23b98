package dev.easgate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.backends.redis.RedisServerProcess;
import dev.easgate.core.admin.cli.EasAdmin;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.testing.AdminTestClient;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Policy sets over real HTTP: an administrator's assignment sends the device back to Provision (Status 142 from
 * 14.0, HTTP 449 before), Provision then hands out the set's values, the assignment lives in the state store
 * (another node on the same Redis sees it, so does a restarted node), and eas-admin drives it.
 */
class PolicySetsIntegrationTest {
    static final String TOKEN = "policy-token-1";

    static Map<String, String> options(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(extra);
        options.put("admin.port", "0");
        options.put("admin.token", TOKEN);
        options.put("policy.MaxAttachmentSize", "1048576");
        options.put("policy.sets", "strict,byod");
        options.put("policy.set.strict.DevicePasswordEnabled", "1");
        options.put("policy.set.strict.MinDevicePasswordLength", "8");
        options.put("policy.set.byod.AllowCamera", "0");
        return options;
    }

    /** Both phases of Provision; returns the EASProvisionDoc of the first (the policy the device was given). */
    static WbxmlElement provision(EasTestClient phone) {
        EasTestClient.Response first = phone.post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("Policies", p -> p.child("Policy", x -> x.child("PolicyType", "MS-EAS-Provisioning-WBXML")))
                .build());
        WbxmlElement policy = first.body().child("Policies").child("Policy");
        String temporary = policy.childText("PolicyKey");
        phone.policyKey(temporary);
        EasTestClient.Response second = phone.post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("Policies", p -> p.child("Policy", x -> x.child("PolicyType", "MS-EAS-Provisioning-WBXML")
                        .child("PolicyKey", temporary).child("Status", "1")))
                .build());
        String fin = second.body().child("Policies").child("Policy").childText("PolicyKey");
        assertThat(fin).isNotEqualTo(temporary);
        phone.policyKey(fin);
        return policy.child("Data").child("EASProvisionDoc");
    }

    static WbxmlElement folderSync() {
        return WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build();
    }

    static WbxmlElement sync(String collectionId) {
        return WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections", c -> c.child("Collection", x -> x
                .child("SyncKey", "0").child("CollectionId", collectionId))).build();
    }

    @Test
    void anAssignmentSendsTheDeviceBackToProvisionWhichHandsOutTheSet() {
        try (GatewayTestServer server = GatewayTestServer.start(options(Map.of()))) {
            AdminTestClient admin = new AdminTestClient(server.gateway().adminPort(), TOKEN);
            EasTestClient phone = server.client("alice", "policy-1");
            WbxmlElement global = provision(phone);
            assertThat(global.childText("DevicePasswordEnabled")).isEqualTo("0");
            assertThat(global.childText("MaxAttachmentSize")).isEqualTo("1048576");
            String inbox = server.folderId("alice", dev.easgate.backends.mail.FolderType.INBOX);
            assertThat(phone.post("Sync", sync(inbox)).body().child("Collections")).isNotNull();
            String oldKey = phone.policyKey();

            AdminTestClient.Answer assigned = admin.put("/admin/v1/users/alice/policy", "{\"set\":\"strict\"}");
            assertThat(assigned.status()).isEqualTo(200);
            assertThat(assigned.object()).containsEntry("assigned", "strict").containsEntry("effective", "strict")
                    .containsEntry("source", "admin");

            EasTestClient.Response refused = phone.post("Sync", sync(inbox));
            assertThat(refused.status()).isEqualTo(200);
            assertThat(refused.text("Status")).isEqualTo("142");
            WbxmlElement strict = provision(phone);
            assertThat(strict.childText("DevicePasswordEnabled")).isEqualTo("1");
            assertThat(strict.childText("MinDevicePasswordLength")).isEqualTo("8");
            // unset keys inherit the global values
            assertThat(strict.childText("MaxAttachmentSize")).isEqualTo("1048576");
            assertThat(phone.policyKey()).isNotEqualTo(oldKey);
            assertThat(phone.post("FolderSync", folderSync()).text("Status")).isEqualTo("1");
            assertThat(deviceOf(admin, "alice", "policy-1")).containsEntry("policySet", "strict");

            // removing the assignment: back to the global policy, again through Provision
            assertThat(admin.delete("/admin/v1/users/alice/policy").object()).containsEntry("effective", "default");
            assertThat(phone.post("FolderSync", folderSync()).text("Status")).isEqualTo("142");
            assertThat(provision(phone).childText("DevicePasswordEnabled")).isEqualTo("0");
            assertThat(phone.post("FolderSync", folderSync()).text("Status")).isEqualTo("1");
        }
    }

    @Test
    void aClientBefore14GetsHttp449AndOtherUsersAreUntouched() {
        try (GatewayTestServer server = GatewayTestServer.start(options(Map.of()))) {
            AdminTestClient admin = new AdminTestClient(server.gateway().adminPort(), TOKEN);
            EasTestClient old = server.client("bob", "policy-121").protocolVersion("12.1");
            provision(old);
            EasTestClient other = server.client("demo", "policy-other");
            provision(other);
            assertThat(old.post("FolderSync", folderSync()).status()).isEqualTo(200);

            assertThat(admin.put("/admin/v1/users/bob/policy", "{\"set\":\"byod\"}").status()).isEqualTo(200);
            assertThat(admin.put("/admin/v1/users/bob/policy", "{\"set\":\"nope\"}").status()).isEqualTo(404);

            assertThat(old.post("FolderSync", folderSync()).status()).isEqualTo(449);
            assertThat(provision(old).childText("AllowCamera")).isEqualTo("0");
            assertThat(old.post("FolderSync", folderSync()).status()).isEqualTo(200);
            assertThat(other.post("FolderSync", folderSync()).text("Status")).isEqualTo("1");
        }
    }

    @Test
    void theAssignmentIsSharedByNodesOnOneRedisAndOutlivesThem() {
        RedisServerProcess redis = RedisServerProcess.start();
        GatewayTestServer a = null;
        GatewayTestServer b = null;
        try {
            String url = "redis://127.0.0.1:" + redis.port();
            a = GatewayTestServer.start(options(Map.of("redis", url)));
            b = GatewayTestServer.start(options(Map.of("redis", url)));
            EasTestClient onB = b.client("alice", "policy-shared");
            provision(onB);
            assertThat(onB.post("FolderSync", folderSync()).text("Status")).isEqualTo("1");

            new AdminTestClient(a.gateway().adminPort(), TOKEN).put("/admin/v1/users/alice/policy",
                    "{\"set\":\"strict\"}");
            assertThat(onB.post("FolderSync", folderSync()).text("Status")).isEqualTo("142");
            assertThat(provision(onB).childText("DevicePasswordEnabled")).isEqualTo("1");

            a.close();
            a = null;
            a = GatewayTestServer.start(options(Map.of("redis", url)));
            AdminTestClient restarted = new AdminTestClient(a.gateway().adminPort(), TOKEN);
            assertThat(restarted.get("/admin/v1/users/alice/policy").object()).containsEntry("assigned", "strict");
            EasTestClient onA = new EasTestClient(a.uri(), "alice", "demo", "policy-shared")
                    .policyKey(onB.policyKey());
            assertThat(onA.post("FolderSync", folderSync()).text("Status")).isEqualTo("1");
        } finally {
            Closing.closeAll(a, b, redis);
        }
    }

    @Test
    void easAdminAssignsShowsAndClears() {
        try (GatewayTestServer server = GatewayTestServer.start(options(Map.of()))) {
            String url = "http://127.0.0.1:" + server.gateway().adminPort();
            provision(server.client("demo", "policy-cli"));

            assertThat(cli(url, "policy", "set", "--user", "demo", "strict")).contains("effective: strict");
            assertThat(cli(url, "policy", "show", "--user", "demo")).contains("assigned: strict",
                    "source: admin");
            assertThat(cli(url, "policy", "list")).contains("SET", "default", "strict", "byod");
            assertThat(cli(url, "policy", "clear", "--user", "demo")).contains("effective: default");
        }
    }

    private static String cli(String url, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 4];
        full[0] = "--url";
        full[1] = url;
        full[2] = "--token";
        full[3] = TOKEN;
        System.arraycopy(args, 0, full, 4, args.length);
        int status = EasAdmin.run(full, new PrintWriter(out), new PrintWriter(err));
        assertThat(status).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void badSetOptionsStopTheGatewayNamingTheOption() {
        assertThatThrownBy(() -> PolicySets.from(GatewayConfig.from(Map.of("policy.sets", "strict",
                "policy.set.other.AllowCamera", "0"))))
                .hasMessageContaining("policy.set.other.AllowCamera");
        assertThatThrownBy(() -> PolicySets.from(GatewayConfig.from(Map.of("policy.sets", "strict",
                "policy.set.strict.AllowCamera", "7"))))
                .hasMessageContaining("policy.set.strict.AllowCamera");
        assertThatThrownBy(() -> PolicySets.from(GatewayConfig.from(Map.of("policy.sets", "default"))))
                .hasMessageContaining("policy.sets");
        PolicySets sets = PolicySets.from(GatewayConfig.from(Map.of("policy.sets", "strict",
                "policy.DevicePasswordEnabled", "1", "policy.set.strict.MinDevicePasswordLength", "6")));
        assertThat(sets.get("strict").document().settings()).containsEntry("DevicePasswordEnabled", "1")
                .containsEntry("MinDevicePasswordLength", "6");
        assertThat(sets.global().document().settings()).doesNotContainKey("MinDevicePasswordLength");
        assertThat(sets.get("strict").fingerprint()).startsWith("strict/")
                .isNotEqualTo(sets.global().fingerprint());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> deviceOf(AdminTestClient admin, String user, String deviceId) {
        for (Object d : (List<Object>) admin.get("/admin/v1/users/" + user + "/devices").object().get("devices")) {
            Map<String, Object> device = (Map<String, Object>) d;
            if (deviceId.equals(device.get("deviceId"))) {
                return device;
            }
        }
        throw new AssertionError("no device " + deviceId);
    }
}
