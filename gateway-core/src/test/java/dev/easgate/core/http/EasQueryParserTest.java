package dev.easgate.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EasQueryParserTest {

    /** MS-ASHTTP 2.2.1.1.1.1: version, command code, locale, device id, policy key, device type, parameters. */
    static byte[] base64Query(int version, int command, String deviceId, Long policyKey, String deviceType,
                              byte[]... parameters) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(version);
        out.write(command);
        out.write(0x09);
        out.write(0x04); // locale en-US, little endian
        byte[] id = deviceId.getBytes(StandardCharsets.US_ASCII);
        out.write(id.length);
        out.writeBytes(id);
        if (policyKey == null) {
            out.write(0);
        } else {
            out.write(4);
            for (int i = 0; i < 4; i++) {
                out.write((int) (policyKey >>> (8 * i)) & 0xFF);
            }
        }
        byte[] type = deviceType.getBytes(StandardCharsets.US_ASCII);
        out.write(type.length);
        out.writeBytes(type);
        for (byte[] parameter : parameters) {
            out.writeBytes(parameter);
        }
        return out.toByteArray();
    }

    static byte[] parameter(int tag, byte[] value) {
        byte[] out = new byte[value.length + 2];
        out[0] = (byte) tag;
        out[1] = (byte) value.length;
        System.arraycopy(value, 0, out, 2, value.length);
        return out;
    }

    @Test
    void parsesThePlainForm() {
        EasQuery query = EasQueryParser.parse(
                "Cmd=SmartReply&User=alice%40example.com&DeviceId=ABC123&DeviceType=iPhone&ItemId=5%3A1"
                        + "&CollectionId=5&SaveInSent=T");
        assertThat(query.command()).isEqualTo(EasCommand.SMART_REPLY);
        assertThat(query.user()).isEqualTo("alice@example.com");
        assertThat(query.deviceId()).isEqualTo("ABC123");
        assertThat(query.deviceType()).isEqualTo("iPhone");
        assertThat(query.parameter("ItemId")).isEqualTo("5:1");
        assertThat(query.saveInSent()).isTrue();
        assertThat(query.version()).isNull();
    }

    @Test
    void aBase64QueryKeepsItsPlusSignsWhetherEscapedOrNot() {
        // policy key 0xFEFEFEFE makes the encoded query contain "+" and "/"
        byte[] raw = base64Query(141, 0x00, "PLUS", 0xFEFEFEFEL, "Phone");
        String encoded = Base64.getEncoder().encodeToString(raw);
        assertThat(encoded).contains("+");
        for (String query : new String[] {encoded, java.net.URLEncoder.encode(encoded, StandardCharsets.UTF_8)}) {
            EasQuery parsed = EasQueryParser.parse(query);
            assertThat(parsed.policyKey()).isEqualTo(0xFEFEFEFEL);
            assertThat(parsed.deviceId()).isEqualTo("PLUS");
        }
    }

    @Test
    void parsesTheBase64Form() {
        byte[] raw = base64Query(141, 0x03, "DEV1", 0xFEDCBA98L, "Android",
                parameter(1, "f3".getBytes(StandardCharsets.US_ASCII)),
                parameter(3, "f3:7".getBytes(StandardCharsets.US_ASCII)),
                parameter(7, new byte[] {0x01}),
                parameter(8, "bob".getBytes(StandardCharsets.US_ASCII)));

        EasQuery query = EasQueryParser.parse(Base64.getEncoder().encodeToString(raw));

        assertThat(query.command()).isEqualTo(EasCommand.SMART_REPLY);
        assertThat(query.version()).isEqualTo(ProtocolVersion.V14_1);
        assertThat(query.deviceId()).isEqualTo("DEV1");
        assertThat(query.deviceType()).isEqualTo("Android");
        assertThat(query.policyKey()).isEqualTo(0xFEDCBA98L);
        assertThat(query.user()).isEqualTo("bob");
        assertThat(query.parameter("CollectionId")).isEqualTo("f3");
        assertThat(query.parameter("ItemId")).isEqualTo("f3:7");
        assertThat(query.saveInSent()).isTrue();
    }

    @Test
    void aBinaryDeviceIdIsRenderedAsHex() {
        byte[] raw = base64Query(161, 0x09, "\u0001\u00ff", null, "WP");
        raw[5] = 0x01;
        raw[6] = (byte) 0xFF;
        assertThat(EasQueryParser.parse(Base64.getEncoder().encodeToString(raw)).deviceId()).isEqualTo("01FF");
    }

    @Test
    void refusesBadQueriesWithAReason() {
        assertThatThrownBy(() -> EasQueryParser.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> EasQueryParser.parse("Cmd=Sync&DeviceType=x"))
                .hasMessageContaining("DeviceId is missing");
        assertThatThrownBy(() -> EasQueryParser.parse("Cmd=Frobnicate&DeviceId=a&DeviceType=b"))
                .hasMessageContaining("unknown command");
        assertThatThrownBy(() -> EasQueryParser.parse("Cmd=Sync&DeviceId=a%20b&DeviceType=b"))
                .hasMessageContaining("printable ASCII");
        byte[] truncated = base64Query(141, 0, "DEV1", null, "Android");
        assertThatThrownBy(() -> EasQueryParser.parse(Base64.getEncoder().encodeToString(
                java.util.Arrays.copyOf(truncated, 7)))).hasMessageContaining("ends");
        assertThatThrownBy(() -> EasQueryParser.parse(Base64.getEncoder().encodeToString(
                base64Query(99, 0, "DEV1", null, "Android")))).hasMessageContaining("version 99");
        assertThatThrownBy(() -> EasQueryParser.parse("!!!notbase64")).hasMessageContaining("neither");
    }
}
