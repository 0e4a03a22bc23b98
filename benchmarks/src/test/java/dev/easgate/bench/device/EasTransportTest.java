package dev.easgate.bench.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class EasTransportTest {
    private static final DeviceIdentity DEVICE = new DeviceIdentity(URI.create("http://127.0.0.1:8080"), "anna b",
            "secret", "anna@example.com", "DEV1");

    @Test
    void aPreparedPingIsTheRequestTheDeviceWouldHaveBuilt() {
        try (EasTransport transport = new EasTransport(List.of(), 4, "14.1")) {
            WbxmlElement ping = EasRequests.ping(600, "inbox-7");
            EasTransport.PreparedPost request = transport.prepare(DEVICE, "Ping", "1234", ping);

            assertThat(request.uri()).isEqualTo("http://127.0.0.1:8080/Microsoft-Server-ActiveSync?Cmd=Ping"
                    + "&User=anna+b&DeviceId=DEV1&DeviceType=EasBench");
            assertThat(request.authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString(
                    "anna b:secret".getBytes(StandardCharsets.UTF_8)));
            assertThat(request.policyKey()).isEqualTo("1234");
            assertThat(request.body()).isEqualTo(WbxmlEncoder.encode(ping));
            WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(request.body());
            assertThat(decoded.childText("HeartbeatInterval")).isEqualTo("600");
            assertThat(decoded.child("Folders").child("Folder").childText("Id")).isEqualTo("inbox-7");
        }
    }

    @Test
    void aRequestWithoutBodyOrPolicyKeyHasNeither() {
        try (EasTransport transport = new EasTransport(List.of(), 4, "14.1")) {
            EasTransport.PreparedPost request = transport.prepare(DEVICE, "FolderSync", null, null);

            assertThat(request.body()).isEmpty();
            assertThat(request.policyKey()).isNull();
        }
    }
}
