package dev.easgate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyDocumentTest {

    @Test
    void defaultsRequireNoPasswordAndAllowEverything() {
        PolicyDocument policy = PolicyDocument.defaults();
        assertThat(policy.passwordRequired()).isFalse();
        WbxmlElement doc = policy.easProvisionDoc(ProtocolVersion.V16_1);
        assertThat(doc.childText("DevicePasswordEnabled")).isEqualTo("0");
        assertThat(doc.childText("AllowBluetooth")).isEqualTo("2");
        assertThat(doc.childText("AllowStorageCard")).isEqualTo("1");
        assertThat(doc.childText("MaxEmailAgeFilter")).isEqualTo("0");
        assertThat(doc.child("MinDevicePasswordLength")).isNull();
    }

    @Test
    void elementsAreInCodePageOrderAndRoundTrip() {
        WbxmlElement doc = PolicyDocument.defaults().easProvisionDoc(ProtocolVersion.V14_1);
        int last = 0;
        for (WbxmlElement child : doc.children()) {
            assertThat(child.tag().token()).isGreaterThan(last);
            last = child.tag().token();
        }
        assertThat(WbxmlDecoder.DEFAULT.decode(WbxmlEncoder.encode(doc))).isEqualTo(doc);
    }

    @Test
    void protocol120GetsOnlyItsElements() {
        WbxmlElement doc = PolicyDocument.defaults().easProvisionDoc(ProtocolVersion.V12_0);
        assertThat(doc.child("DevicePasswordEnabled")).isNotNull();
        assertThat(doc.child("AllowCamera")).isNull();
        assertThat(doc.child("AllowBluetooth")).isNull();
        assertThat(doc.child("RequireStorageCardEncryption")).isNull(); // MS-ASPROV 2.2.2.52: 12.1+
        assertThat(PolicyDocument.defaults().easProvisionDoc(ProtocolVersion.V12_1)
                .child("RequireStorageCardEncryption")).isNotNull();
    }

    @Test
    void configuredValuesOverrideDefaultsAndEmptyMeansUnset() {
        PolicyDocument policy = PolicyDocument.of(Map.of("DevicePasswordEnabled", "1",
                "MinDevicePasswordLength", "6", "MaxAttachmentSize", ""));
        assertThat(policy.passwordRequired()).isTrue();
        WbxmlElement doc = policy.easProvisionDoc(ProtocolVersion.V16_1);
        assertThat(doc.childText("DevicePasswordEnabled")).isEqualTo("1");
        assertThat(doc.childText("MinDevicePasswordLength")).isEqualTo("6");
        assertThat(doc.child("MaxAttachmentSize").hasContent()).isFalse();
        assertThat(policy.wapProvisioningDoc()).contains("name=\"4131\" value=\"0\"");
        assertThat(PolicyDocument.defaults().wapProvisioningDoc()).contains("name=\"4131\" value=\"1\"");
    }

    @Test
    void unknownNamesAreRefusedWithTheOptionName() {
        assertThatThrownBy(() -> PolicyDocument.of(Map.of("AllowTeleport", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("policy.AllowTeleport")
                .hasMessageContaining("Provision code page");
        assertThatThrownBy(() -> PolicyDocument.of(Map.of("PolicyKey", "1")))
                .hasMessageContaining("not a configurable EASProvisionDoc setting");
        assertThatThrownBy(() -> PolicyDocument.of(Map.of("ApprovedApplicationList", "x")))
                .hasMessageContaining("policy.ApprovedApplicationList");
    }

    @Test
    void invalidValuesAreRefused() {
        assertThatThrownBy(() -> PolicyDocument.of(Map.of("AllowCamera", "yes")))
                .hasMessageContaining("policy.AllowCamera='yes'").hasMessageContaining("0 or 1");
        assertThatThrownBy(() -> PolicyDocument.of(Map.of("AllowBluetooth", "3"))).hasMessageContaining("0 to 2");
        assertThatThrownBy(() -> PolicyDocument.of(Map.of("MaxCalendarAgeFilter", "2")))
                .hasMessageContaining("0, 4, 5, 6 or 7");
        assertThatThrownBy(() -> PolicyDocument.of(Map.of("MinDevicePasswordLength", "-1")))
                .hasMessageContaining("non-negative");
        assertThatThrownBy(() -> PolicyDocument.of(Map.of("AllowCamera", ""))).hasMessageContaining("0 or 1");
    }
}
