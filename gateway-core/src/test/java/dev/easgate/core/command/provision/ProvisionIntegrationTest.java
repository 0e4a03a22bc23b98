package dev.easgate.core.command.provision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.StateStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Provision over real HTTP: the front's enforcement, the two phases, wrong keys, device information, remote wipe. */
class ProvisionIntegrationTest {
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("policy.MaxAttachmentSize", "1048576"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static StateStore state() {
        return server.gateway().services().stateStore();
    }

    private static DeviceRecord device(String user, String deviceId) {
        return state().device(new DeviceKey(user, deviceId)).block(Duration.ofSeconds(5));
    }

    static WbxmlElement folderSync(String key) {
        return WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", key).build();
    }

    private static WbxmlElement provisionRequest(String type, String key, String status) {
        return WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("Policies", p -> p.child("Policy", x -> {
                    x.child("PolicyType", type);
                    if (key != null) {
                        x.child("PolicyKey", key).child("Status", status);
                    }
                }))
                .build();
    }

    @Test
    void optionsAdvertisesProvisionAndFolderCommands() {
        EasTestClient.Response options = server.client("demo", "opt-1").options();
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.header("MS-ASProtocolCommands")).contains("Provision", "FolderSync", "FolderCreate");
        assertThat(options.header("MS-ASProtocolVersions")).contains("14.1", "16.1");
    }

    @Test
    void unauthorizedWithoutOrWithBadCredentials() {
        assertThat(new EasTestClient(server.uri(), null, null, "anon").options().status()).isEqualTo(401);
        EasTestClient bad = server.client("demo", "wrong", "bad-1");
        assertThat(bad.post("FolderSync", folderSync("0")).status()).isEqualTo(401);
        assertThat(bad.provision().status()).isEqualTo(401);
    }

    @Test
    void unprovisionedDeviceGets449Before14AndStatus142After() {
        EasTestClient old = server.client("demo", "unprov-121").protocolVersion("12.1");
        assertThat(old.post("FolderSync", folderSync("0")).status()).isEqualTo(449);
        EasTestClient modern = server.client("demo", "unprov-141").protocolVersion("14.1");
        EasTestClient.Response response = modern.post("FolderSync", folderSync("0"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("Status")).isEqualTo("142");
    }

    @Test
    void twoPhaseProvisionThenFolderSyncWithTheKey() {
        EasTestClient client = server.client("demo", "prov-1");
        EasTestClient.Response first = client.post("Provision",
                provisionRequest(ProvisionHandler.EAS_WBXML, null, null));
        assertThat(first.text("Status")).isEqualTo("1");
        WbxmlElement policy = first.body().child("Policies").child("Policy");
        assertThat(policy.childText("Status")).isEqualTo("1");
        assertThat(policy.childText("PolicyType")).isEqualTo(ProvisionHandler.EAS_WBXML);
        String temporary = policy.childText("PolicyKey");
        assertThat(Long.parseLong(temporary)).isPositive().isLessThanOrEqualTo(0xFFFFFFFFL);
        WbxmlElement doc = policy.child("Data").child("EASProvisionDoc");
        assertThat(doc.childText("DevicePasswordEnabled")).isEqualTo("0");
        assertThat(doc.childText("AllowCamera")).isEqualTo("1");
        assertThat(doc.childText("MaxAttachmentSize")).isEqualTo("1048576");
        assertThat(device("demo", "prov-1").pendingPolicyKey()).isEqualTo(Long.parseLong(temporary));

        client.policyKey(temporary);
        EasTestClient.Response second = client.post("Provision",
                provisionRequest(ProvisionHandler.EAS_WBXML, temporary, "1"));
        assertThat(second.text("Status")).isEqualTo("1");
        WbxmlElement ack = second.body().child("Policies").child("Policy");
        assertThat(ack.childText("Status")).isEqualTo("1");
        assertThat(ack.child("Data")).isNull();
        String fin = ack.childText("PolicyKey");
        assertThat(fin).isNotEqualTo(temporary);
        DeviceRecord device = device("demo", "prov-1");
        assertThat(device.policyKey()).isEqualTo(Long.parseLong(fin));
        assertThat(device.pendingPolicyKey()).isZero();

        client.policyKey(fin);
        EasTestClient.Response sync = client.post("FolderSync", folderSync("0"));
        assertThat(sync.status()).isEqualTo(200);
        assertThat(sync.text("Status")).isEqualTo("1");
    }

    @Test
    void testClientProvisionHelperWorks() {
        EasTestClient client = server.client("alice", "prov-helper");
        EasTestClient.Response response = client.provision();
        assertThat(response.text("Status")).isEqualTo("1");
        assertThat(client.policyKey()).isEqualTo(Long.toString(device("alice", "prov-helper").policyKey()));
        assertThat(client.post("FolderSync", folderSync("0")).text("Status")).isEqualTo("1");
    }

    @Test
    void staleKeyGets144() {
        EasTestClient client = server.client("demo", "prov-stale");
        client.provision();
        client.policyKey("12345");
        EasTestClient.Response response = client.post("FolderSync", folderSync("0"));
        assertThat(response.text("Status")).isEqualTo("144");
    }

    /** The answer to an acknowledgement was lost: the same acknowledgement again gets the same final key. */
    @Test
    void aRepeatedAcknowledgementGetsTheSameFinalKeyAndAnOlderOneStatus5() {
        EasTestClient client = server.client("demo", "prov-repeat");
        String temporary = client.post("Provision", provisionRequest(ProvisionHandler.EAS_WBXML, null, null)).body()
                .child("Policies").child("Policy").childText("PolicyKey");
        String fin = client.post("Provision", provisionRequest(ProvisionHandler.EAS_WBXML, temporary, "1")).body()
                .child("Policies").child("Policy").childText("PolicyKey");

        WbxmlElement again = client.post("Provision", provisionRequest(ProvisionHandler.EAS_WBXML, temporary, "1"))
                .body().child("Policies").child("Policy");
        assertThat(again.childText("Status")).isEqualTo("1");
        assertThat(again.childText("PolicyKey")).isEqualTo(fin);
        assertThat(device("demo", "prov-repeat").policyKey()).isEqualTo(Long.parseLong(fin));

        // provisioned anew: the first round's temporary key is no longer an acknowledgement to repeat
        String second = client.post("Provision", provisionRequest(ProvisionHandler.EAS_WBXML, null, null)).body()
                .child("Policies").child("Policy").childText("PolicyKey");
        client.post("Provision", provisionRequest(ProvisionHandler.EAS_WBXML, second, "1"));
        WbxmlElement old = client.post("Provision", provisionRequest(ProvisionHandler.EAS_WBXML, temporary, "1"))
                .body().child("Policies").child("Policy");
        assertThat(old.childText("Status")).isEqualTo("5");
    }

    @Test
    void acknowledgingAWrongTemporaryKeyGetsPolicyStatus5() {
        EasTestClient client = server.client("demo", "prov-wrong");
        client.post("Provision", provisionRequest(ProvisionHandler.EAS_WBXML, null, null));
        EasTestClient.Response response = client.post("Provision",
                provisionRequest(ProvisionHandler.EAS_WBXML, "424242", "1"));
        assertThat(response.text("Status")).isEqualTo("1");
        WbxmlElement policy = response.body().child("Policies").child("Policy");
        assertThat(policy.childText("Status")).isEqualTo("5");
        assertThat(policy.child("PolicyKey")).isNull();
        assertThat(device("demo", "prov-wrong").policyKey()).isZero();
    }

    @Test
    void unknownPolicyTypeGetsPolicyStatus3() {
        EasTestClient client = server.client("demo", "prov-type");
        EasTestClient.Response response = client.post("Provision", provisionRequest("Something-Else", null, null));
        assertThat(response.text("Status")).isEqualTo("1");
        assertThat(response.body().child("Policies").child("Policy").childText("Status")).isEqualTo("3");
    }

    @Test
    void missingPolicyTypeIsAProtocolError() {
        EasTestClient client = server.client("demo", "prov-empty");
        EasTestClient.Response response = client.post("Provision",
                WbxmlElement.el(CodePage.PROVISION, "Provision").build());
        assertThat(response.text("Status")).isEqualTo("2");
    }

    @Test
    void protocol25GetsTheWapDocument() {
        EasTestClient client = server.client("demo", "prov-25").protocolVersion("2.5");
        EasTestClient.Response response = client.post("Provision",
                provisionRequest(ProvisionHandler.WAP_XML, null, null));
        WbxmlElement policy = response.body().child("Policies").child("Policy");
        assertThat(policy.childText("Status")).isEqualTo("1");
        assertThat(policy.childText("Data")).startsWith("<wap-provisioningdoc>").contains("4131");
    }

    @Test
    void deviceInformationInProvisionIsRecorded() {
        EasTestClient client = server.client("demo", "prov-info").protocolVersion("14.1");
        WbxmlElement request = WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("Settings:DeviceInformation", info -> info.child("Set", set -> set
                        .child("Model", "Pixel 9")
                        .child("FriendlyName", "Work phone")
                        .child("OS", "Android 15")))
                .child("Policies", p -> p.child("Policy", x -> x.child("PolicyType", ProvisionHandler.EAS_WBXML)))
                .build();
        EasTestClient.Response response = client.post("Provision", request);
        assertThat(response.body().children().get(0).matches("Settings:DeviceInformation")).isTrue();
        assertThat(response.body().child("Settings:DeviceInformation").childText("Settings:Status")).isEqualTo("1");
        DeviceRecord device = device("demo", "prov-info");
        assertThat(device.model()).isEqualTo("Pixel 9");
        assertThat(device.os()).isEqualTo("Android 15");
        assertThat(device.friendlyName()).isEqualTo("Work phone");
    }

    @Test
    void deviceInformationInProvisionBefore141IsIgnored() {
        EasTestClient client = server.client("demo", "prov-info-140").protocolVersion("14.0");
        WbxmlElement request = WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("Settings:DeviceInformation", info -> info.child("Set", set -> set.child("Model", "Old phone")))
                .child("Policies", p -> p.child("Policy", x -> x.child("PolicyType", ProvisionHandler.EAS_WBXML)))
                .build();
        EasTestClient.Response response = client.post("Provision", request);
        // MS-ASPROV 2.2.2.53: 14.1+ only, so no DeviceInformation Status in the answer and nothing recorded
        assertThat(response.body().child("Settings:DeviceInformation")).isNull();
        assertThat(response.body().child("Policies").child("Policy").childText("Status")).isEqualTo("1");
        assertThat(device("demo", "prov-info-140").model()).isNotEqualTo("Old phone");
    }

    @Test
    void remoteWipeIsDeliveredAndAcknowledged() {
        EasTestClient client = server.client("bob", "wipe-1");
        client.provision();
        DeviceRecord before = device("bob", "wipe-1");
        state().putDevice(before.withWipe(DeviceRecord.WipeState.WIPE_REQUESTED)).block(Duration.ofSeconds(5));

        assertThat(client.post("FolderSync", folderSync("0")).text("Status")).isEqualTo("140");
        EasTestClient.Response directive = client.post("Provision",
                WbxmlElement.el(CodePage.PROVISION, "Provision").build());
        assertThat(directive.text("Status")).isEqualTo("1");
        assertThat(directive.body().child("RemoteWipe")).isNotNull();
        assertThat(directive.body().child("Policies")).isNull();

        EasTestClient.Response ack = client.post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("RemoteWipe", w -> w.child("Status", "1")).build());
        assertThat(ack.text("Status")).isEqualTo("1");
        assertThat(device("bob", "wipe-1").wipe()).isEqualTo(DeviceRecord.WipeState.WIPE_ACKNOWLEDGED);
    }

    @Test
    void accountOnlyWipeFor161() {
        EasTestClient client = server.client("bob", "wipe-2");
        client.provision();
        state().putDevice(device("bob", "wipe-2").withWipe(DeviceRecord.WipeState.ACCOUNT_WIPE_REQUESTED))
                .block(Duration.ofSeconds(5));
        EasTestClient.Response directive = client.post("Provision",
                provisionRequest(ProvisionHandler.EAS_WBXML, null, null));
        assertThat(directive.body().child("AccountOnlyRemoteWipe")).isNotNull();
        assertThat(directive.body().child("RemoteWipe")).isNull();
        client.post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("AccountOnlyRemoteWipe", w -> w.child("Status", "1")).build());
        assertThat(device("bob", "wipe-2").wipe()).isEqualTo(DeviceRecord.WipeState.ACCOUNT_WIPE_ACKNOWLEDGED);
    }

    @Test
    void anAccountOnlyWipeAcknowledgementBefore161IsNotTaken() {
        EasTestClient client = server.client("bob", "wipe-3").protocolVersion("16.0");
        client.provision();
        state().putDevice(device("bob", "wipe-3").withWipe(DeviceRecord.WipeState.ACCOUNT_WIPE_REQUESTED))
                .block(Duration.ofSeconds(5));
        EasTestClient.Response response = client.post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("AccountOnlyRemoteWipe", w -> w.child("Status", "1")).build());
        // MS-ASPROV 2.2.2.1: the element is 16.1 only, so it is neither taken as acknowledgement nor echoed; the
        // request is answered like any Provision of a 16.0 device with an account-only wipe pending (Status 3)
        assertThat(response.body().childText("Status")).isEqualTo("3");
        assertThat(response.body().child("AccountOnlyRemoteWipe")).isNull();
        assertThat(device("bob", "wipe-3").wipe()).isEqualTo(DeviceRecord.WipeState.ACCOUNT_WIPE_REQUESTED);
    }

    @Test
    void unknownPolicyOptionStopsTheGateway() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        GatewayTestServer.start(Map.of("policy.AllowTeleportation", "1")).close())
                .hasMessageContaining("policy.AllowTeleportation");
    }
}
