package dev.easgate.wbxml.golden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.wbxml.Redaction;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.WbxmlXml;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The codec against WBXML written by hand from the MS-ASWBXML token tables for the MS-ASCMD command examples.
 */
class GoldenVectorTest {

    static Stream<String> names() {
        return GoldenVectors.NAMES.stream();
    }

    @ParameterizedTest
    @MethodSource("names")
    void decodingTheHandWrittenBytesGivesTheFixtureTree(String name) {
        WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(GoldenVectors.wbxml(name));

        assertThat(decoded).isEqualTo(WbxmlXml.parse(GoldenVectors.xml(name)));
    }

    @ParameterizedTest
    @MethodSource("names")
    void encodingTheFixtureGivesExactlyTheHandWrittenBytes(String name) {
        byte[] encoded = WbxmlEncoder.encode(WbxmlXml.parse(GoldenVectors.xml(name)));

        HexFormat hex = HexFormat.ofDelimiter(" ");
        assertThat(hex.formatHex(encoded)).isEqualTo(hex.formatHex(GoldenVectors.wbxml(name)));
    }

    @ParameterizedTest
    @MethodSource("names")
    void renderingTheDecodedTreeParsesBackToTheSameTree(String name) {
        WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(GoldenVectors.wbxml(name));

        String rendered = WbxmlXml.render(decoded, Redaction.NONE);

        assertThat(WbxmlXml.parse(rendered)).isEqualTo(decoded);
        // the fixtures are written in the rendering's own format, byte for byte
        assertThat(rendered).isEqualTo(GoldenVectors.xml(name));
    }

    @Test
    void theVectorsCoverSeveralPagesOpaqueValuesAndTextOutsideTheBmp() {
        String syncResponse = GoldenVectors.xml("sync-response");
        assertThat(syncResponse).contains("xmlns:email=\"Email:\"", "xmlns:email2=\"Email2:\"",
                "xmlns:airsyncbase=\"AirSyncBase:\"", "wbxml=\"opaque-base64\"", "\uD83D\uDE00");
        assertThat(GoldenVectors.xml("itemoperations-response")).contains("wbxml=\"opaque\"", "&#13;");
    }

    @Test
    void hexFilesAllowWhitespaceAndComments() {
        assertThat(GoldenVectors.parseHex("03 01\n6a 00 # header\n\t45 01 # Sync"))
                .isEqualTo(new byte[] {0x03, 0x01, 0x6A, 0x00, 0x45, 0x01});
    }
}
