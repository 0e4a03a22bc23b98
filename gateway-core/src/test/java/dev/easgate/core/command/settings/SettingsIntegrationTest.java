package dev.easgate.core.command.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Settings over real HTTP. */
class SettingsIntegrationTest {
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static EasTestClient provisioned(String user, String deviceId, String version) {
        EasTestClient client = server.client(user, deviceId).protocolVersion(version);
        assertThat(client.provision().text("Status")).isEqualTo("1");
        return client;
    }

    private static EasTestClient.Response settings(EasTestClient client,
                                                   java.util.function.Consumer<WbxmlElement.Builder> body) {
        WbxmlElement.Builder settings = WbxmlElement.el(CodePage.SETTINGS, "Settings");
        body.accept(settings);
        return client.post("Settings", settings.build());
    }

    @Test
    void deviceInformationIsRecorded() {
        EasTestClient client = provisioned("demo", "set-info", "16.1");
        EasTestClient.Response response = settings(client, s -> s.child("DeviceInformation", i -> i.child("Set",
                set -> set.child("Model", "iPhone16,2").child("IMEI", "123").child("FriendlyName", "Demo's phone")
                        .child("OS", "iOS 18.1").child("UserAgent", "Apple-iPhone16C2/2201.1"))));
        assertThat(response.text("Status")).isEqualTo("1");
        assertThat(response.body().child("DeviceInformation").childText("Status")).isEqualTo("1");
        DeviceRecord device = server.gateway().services().stateStore().device(new DeviceKey("demo", "set-info"))
                .block(Duration.ofSeconds(5));
        assertThat(device.model()).isEqualTo("iPhone16,2");
        assertThat(device.os()).isEqualTo("iOS 18.1");
        assertThat(device.friendlyName()).isEqualTo("Demo's phone");
    }

    @Test
    void userInformationIn141Form() {
        EasTestClient client = provisioned("alice", "set-user-141", "14.1");
        EasTestClient.Response response = settings(client, s -> s.child("UserInformation", u -> u.empty("Get")));
        WbxmlElement account = response.body().child("UserInformation").child("Get").child("Accounts")
                .child("Account");
        assertThat(account.childText("UserDisplayName")).isEqualTo("Alice Walker");
        assertThat(account.child("EmailAddresses").childText("PrimarySmtpAddress")).isEqualTo("alice@example.com");
        assertThat(account.child("EmailAddresses").childText("SMTPAddress")).isEqualTo("alice@example.com");
    }

    @Test
    void userInformationBefore141() {
        EasTestClient client = provisioned("alice", "set-user-121", "12.1");
        EasTestClient.Response response = settings(client, s -> s.child("UserInformation", u -> u.empty("Get")));
        WbxmlElement get = response.body().child("UserInformation").child("Get");
        assertThat(get.child("EmailAddresses").childText("SMTPAddress")).isEqualTo("alice@example.com");
        assertThat(get.child("Accounts")).isNull();
    }

    @Test
    void oofSetThenGetRoundTrips() {
        EasTestClient client = provisioned("bob", "set-oof", "16.1");
        EasTestClient.Response initial = settings(client, s -> s.child("Oof", o -> o.child("Get",
                g -> g.child("BodyType", "Text"))));
        assertThat(initial.body().child("Oof").child("Get").childText("OofState")).isEqualTo("0");

        EasTestClient.Response set = settings(client, s -> s.child("Oof", o -> o.child("Set", x -> x
                .child("OofState", "2")
                .child("StartTime", "2026-12-20T00:00:00.000Z")
                .child("EndTime", "2027-01-05T00:00:00.000Z")
                .child("OofMessage", m -> m.empty("AppliesToInternal").child("Enabled", "1")
                        .child("ReplyMessage", "On holiday").child("BodyType", "Text"))
                .child("OofMessage", m -> m.empty("AppliesToExternalUnknown").child("Enabled", "0")))));
        assertThat(set.body().child("Oof").childText("Status")).isEqualTo("1");

        EasTestClient other = provisioned("bob", "set-oof-2", "14.1");
        WbxmlElement get = settings(other, s -> s.child("Oof", o -> o.child("Get",
                g -> g.child("BodyType", "Text")))).body().child("Oof").child("Get");
        assertThat(get.childText("OofState")).isEqualTo("2");
        assertThat(get.childText("StartTime")).isEqualTo("2026-12-20T00:00:00.000Z");
        assertThat(get.childText("EndTime")).isEqualTo("2027-01-05T00:00:00.000Z");
        assertThat(get.children("OofMessage")).hasSize(2);
        assertThat(get.children("OofMessage").get(0).childText("ReplyMessage")).isEqualTo("On holiday");

        EasTestClient.Response bad = settings(client, s -> s.child("Oof", o -> o.child("Set",
                x -> x.child("OofState", "7"))));
        assertThat(bad.body().child("Oof").childText("Status")).isEqualTo("2");
    }

    @Test
    void devicePasswordAndRightsManagementAreAnswered() {
        EasTestClient client = provisioned("demo", "set-misc", "16.1");
        EasTestClient.Response response = settings(client, s -> s
                .child("DevicePassword", d -> d.child("Set", x -> x.child("Password", "s3cret")))
                .child("RightsManagementInformation", r -> r.empty("Get")));
        assertThat(response.text("Status")).isEqualTo("1");
        assertThat(response.body().child("DevicePassword").childText("Status")).isEqualTo("1");
        WbxmlElement rights = response.body().child("RightsManagementInformation");
        assertThat(rights.childText("Status")).isEqualTo("1");
        assertThat(rights.child("Get").child("RightsManagement:RightsManagementTemplates")).isNotNull();
    }

    @Test
    void rightsManagementInformationBefore141IsUnknown() {
        EasTestClient client = provisioned("demo", "set-rm-140", "14.0");
        EasTestClient.Response response = settings(client, s -> s
                .child("RightsManagementInformation", r -> r.empty("Get")));
        // MS-ASCMD 2.2.3.156, MS-ASRM 2.2.2.17: 14.1+, so no RightsManagementInformation nor templates before
        assertThat(response.text("Status")).isEqualTo("2");
        assertThat(response.body().child("RightsManagementInformation")).isNull();
    }

    @Test
    void malformedSettingsGetStatus2() {
        EasTestClient client = provisioned("demo", "set-bad", "16.1");
        assertThat(client.post("Settings", null).text("Status")).isEqualTo("2");
        assertThat(settings(client, s -> s.child("Model", "x")).text("Status")).isEqualTo("2");
        EasTestClient.Response noGet = settings(client, s -> s.child("UserInformation", u -> u.empty("Set")));
        assertThat(noGet.body().child("UserInformation").childText("Status")).isEqualTo("2");
    }
}
