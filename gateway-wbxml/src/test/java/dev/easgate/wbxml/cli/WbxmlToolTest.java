package dev.easgate.wbxml.cli;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WbxmlToolTest {

    /** FolderSync with SyncKey 0, as MS-ASWBXML writes it. */
    private static final String FOLDER_SYNC_HEX = "03016a00000756520330000101";
    private static final String FOLDER_SYNC_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <FolderSync xmlns="FolderHierarchy:">
              <SyncKey>0</SyncKey>
            </FolderSync>
            """;

    record Result(int status, byte[] out, String err) {
        String outText() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    private static Result run(InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = WbxmlTool.run(args, stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    private static Result run(byte[] stdin, String... args) {
        return run(new ByteArrayInputStream(stdin), args);
    }

    private static Result run(String stdin, String... args) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    /** Exit 1, nothing on stdout, exactly this one line on stderr. */
    private static void assertRefused(Result result, String line) {
        assertThat(result.status()).isEqualTo(WbxmlTool.EXIT_BAD_INPUT);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo(line + System.lineSeparator());
    }

    /** Exit 2, nothing on stdout, the optional message line and then the usage on stderr. */
    private static void assertUsage(Result result, String firstLine) {
        assertThat(result.status()).isEqualTo(WbxmlTool.EXIT_USAGE);
        assertThat(result.out()).isEmpty();
        String expected = (firstLine == null ? "" : firstLine + System.lineSeparator()) + WbxmlTool.usage();
        assertThat(result.err()).isEqualTo(expected);
    }

    private static WbxmlElement syncResponse() {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs
                        .child("Collection", c -> c
                                .child("SyncKey", "1712")
                                .child("CollectionId", "5")
                                .child("Status", 1)
                                .child("Commands", cmd -> cmd
                                        .child("Add", add -> add
                                                .child("ServerId", "5:1")
                                                .child("ApplicationData", data -> data
                                                        .child("Email:Subject", "Lunch & <you> \uD83D\uDE00")
                                                        .child("Email:From", "\"Ann\" <ann@example.com>")
                                                        .child("Email:Read", 0)
                                                        .child("AirSyncBase:Body", body -> body
                                                                .child("Type", 4)
                                                                .opaque("Data", new byte[] {0, 1, 2, (byte) 0xFF})))))
                                .empty("MoreAvailable")
                                .child("Status", "")))
                .build();
    }

    // ---- decode ---------------------------------------------------------------------------------------------------

    @Test
    void decodeWritesTheDeclarationAndTheXml() {
        Result result = run(hex(FOLDER_SYNC_HEX), "decode");

        assertThat(result.status()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.outText()).isEqualTo(FOLDER_SYNC_XML);
    }

    @Test
    void decodeHexIgnoresWhitespaceAndCase() {
        Result result = run("03 01 6A 00\n\t00 07\r\n56 52 03 30 00 01 01\n", "decode", "--hex");

        assertThat(result.status()).isZero();
        assertThat(result.outText()).isEqualTo(FOLDER_SYNC_XML);
    }

    @Test
    void decodeShowsUserContentUnlessRedacted() {
        byte[] bytes = WbxmlEncoder.encode(syncResponse());

        String plain = run(bytes, "decode").outText();
        String redacted = run(bytes, "decode", "--redact").outText();

        assertThat(plain).contains("<email:Subject>Lunch &amp; &lt;you&gt; \uD83D\uDE00</email:Subject>")
                .contains("ann@example.com")
                .contains("<SyncKey>1712</SyncKey>");
        assertThat(redacted).doesNotContain("Lunch").doesNotContain("ann@example.com")
                .contains("<email:Subject>[redacted: ")
                .contains("<SyncKey>1712</SyncKey>")
                .contains("<ServerId>5:1</ServerId>");
    }

    // ---- encode ---------------------------------------------------------------------------------------------------

    @Test
    void encodeWritesTheBytesOfTheSpecification() {
        Result result = run(FOLDER_SYNC_XML, "encode");

        assertThat(result.status()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).isEqualTo(hex(FOLDER_SYNC_HEX));
    }

    @Test
    void encodeHexWritesOneLineOfHex() {
        Result result = run(FOLDER_SYNC_XML, "encode", "--hex");

        assertThat(result.status()).isZero();
        assertThat(result.outText()).isEqualTo(FOLDER_SYNC_HEX + "\n");
    }

    @Test
    void encodeAcceptsAByteOrderMarkAndHandWrittenXml() {
        String xml = "\uFEFF<Ping xmlns='Ping:'><HeartbeatInterval>480</HeartbeatInterval><!-- comment -->"
                + "<Folders><Folder><Id>1</Id><Class>Email</Class></Folder></Folders></Ping>";

        Result result = run(xml, "encode");

        assertThat(result.status()).isZero();
        assertThat(WbxmlDecoder.DEFAULT.decode(result.out()).child("HeartbeatInterval").text()).isEqualTo("480");
    }

    @Test
    void decodeThenEncodeRoundTripsByteForByte() {
        byte[] original = WbxmlEncoder.encode(syncResponse());

        Result xml = run(original, "decode");
        Result bytes = run(xml.out(), "encode");
        Result viaHex = run(run(xml.out(), "encode", "--hex").out(), "decode", "--hex");

        assertThat(xml.status()).isZero();
        assertThat(bytes.status()).isZero();
        assertThat(bytes.out()).isEqualTo(original);
        assertThat(viaHex.outText()).isEqualTo(xml.outText());
        assertThat(WbxmlDecoder.DEFAULT.decode(bytes.out())).isEqualTo(syncResponse());
    }

    @Test
    void decodesDocumentsAsDeepAsTheLargestDepthOption() {
        int depth = WbxmlTool.MAX_DEPTH_OPTION;
        // Collections (0x1C) with content, nested, then one Collections without content and the ENDs
        byte[] doc = hex("03016a00" + "5c".repeat(depth - 1) + "1c" + "01".repeat(depth - 1));

        Result xml = run(doc, "decode", "--max-depth", Integer.toString(depth));
        Result back = run(xml.out(), "encode", "--max-depth=" + depth);

        assertThat(xml.status()).isZero();
        assertThat(back.status()).isZero();
        assertThat(back.out()).isEqualTo(doc);
    }

    // ---- refusals: one line on stderr, exit 1 ---------------------------------------------------------------------

    @Test
    void truncatedInputNamesTheReasonAndTheOffset() {
        assertRefused(run(hex("03016a00 0007 56 52 03 3000 01"), "decode"),
                "wbxml: decode failed: input ends inside element FolderHierarchy:FolderSync at byte offset 12"
                        + " (TRUNCATED)");
    }

    @Test
    void emptyInputIsRefused() {
        assertRefused(run(new byte[0], "decode"),
                "wbxml: decode failed: input ends inside the header at byte offset 0 (TRUNCATED)");
    }

    @Test
    void limitsFromTheCommandLineApply() {
        byte[] longString = hex("03016a00 4b 03 414243444546 00 01");
        byte[] deep = hex("03016a00 5c5c5c 1c 010101");

        assertRefused(run(longString, "decode", "--max-string-bytes", "5"),
                "wbxml: decode failed: inline string longer than 5 bytes at byte offset 5 (TOO_LONG)");
        assertRefused(run(deep, "decode", "--max-depth", "3"),
                "wbxml: decode failed: elements nested deeper than 3 at byte offset 7 (TOO_DEEP)");
        assertRefused(run(deep, "decode", "--max-elements=3"),
                "wbxml: decode failed: more than 3 elements at byte offset 7 (TOO_MANY_ELEMENTS)");
        assertThat(run(deep, "decode", "--max-depth", "4").status()).isZero();
    }

    @Test
    void badHexIsRefused() {
        assertRefused(run("03 01 6a 0g", "decode", "--hex"),
                "wbxml: decode failed: bad hex input: 'g' at offset 10 is not a hex digit");
        assertRefused(run("03 01 6a 0", "decode", "--hex"),
                "wbxml: decode failed: bad hex input: odd number of hex digits");
        assertRefused(run(new byte[] {'0', '3', (byte) 0xC3, (byte) 0xA9}, "decode", "--hex"),
                "wbxml: decode failed: bad hex input: byte 0xc3 at offset 2 is not a hex digit");
    }

    @Test
    void inputOverTheCapIsRefusedWithoutReadingForever() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0x41;
            }
        };

        assertRefused(run(endless, "decode", "--max-input", "1k"),
                "wbxml: decode failed: input is larger than 1024 bytes (raise --max-input)");
        assertRefused(run(endless, "encode", "--max-input=64"),
                "wbxml: encode failed: input is larger than 64 bytes (raise --max-input)");
    }

    @Test
    void badXmlIsRefused() {
        Result result = run("<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</FolderSync>", "encode");

        assertThat(result.status()).isEqualTo(WbxmlTool.EXIT_BAD_INPUT);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("wbxml: encode failed: not well-formed XML: ")
                .endsWith("(BAD_XML)" + System.lineSeparator());
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void unknownTagsAndNamespacesAreRefused() {
        assertRefused(run("<Sync xmlns=\"AirSync:\"><Nope/></Sync>", "encode"),
                "wbxml: encode failed: no tag Nope in code page AirSync at byte offset 30 (BAD_XML)");
        Result result = run("<Sync xmlns=\"urn:other\"/>", "encode");
        assertThat(result.status()).isEqualTo(WbxmlTool.EXIT_BAD_INPUT);
        assertThat(result.err()).startsWith("wbxml: encode failed: element <Sync> is not in an EAS namespace")
                .hasLineCount(1);
    }

    @Test
    void xmlThatIsNotUtf8IsRefused() {
        byte[] latin1 = "<Sync xmlns=\"AirSync:\"><SyncKey>\u00e9</SyncKey></Sync>"
                .getBytes(StandardCharsets.ISO_8859_1);

        assertRefused(run(latin1, "encode"), "wbxml: encode failed: input is not UTF-8 at byte offset 32");
    }

    @Test
    void encodeAppliesTheDecoderLimitsToTheTree() {
        String deep = "<Sync xmlns=\"AirSync:\">" + "<Collections>".repeat(64) + "</Collections>".repeat(64)
                + "</Sync>";
        String longText = "<Sync xmlns=\"AirSync:\"><SyncKey>" + "x".repeat(11) + "</SyncKey></Sync>";

        assertRefused(run(deep, "encode"),
                "wbxml: encode failed: element AirSync:Collections is nested deeper than 64 (TOO_DEEP)");
        assertRefused(run(longText, "encode", "--max-string-bytes", "10"),
                "wbxml: encode failed: text of AirSync:SyncKey is 11 bytes, longer than 10 (TOO_LONG)");
        assertRefused(run(deep, "encode", "--max-elements", "3", "--max-depth", "100"),
                "wbxml: encode failed: more than 3 elements (TOO_MANY_ELEMENTS)");
        assertThat(run(deep, "encode", "--max-depth", "65").status()).isZero();
    }

    @Test
    void aVeryDeepXmlDocumentIsRefusedNotOverflowed() {
        String deep = "<Sync xmlns=\"AirSync:\">" + "<Collections>".repeat(200_000)
                + "</Collections>".repeat(200_000) + "</Sync>";

        assertRefused(run(deep, "encode", "--max-depth", "4096"),
                "wbxml: encode failed: element AirSync:Collections is nested deeper than 4096 (TOO_DEEP)");
    }

    // ---- usage: exit 2 --------------------------------------------------------------------------------------------

    @Test
    void helpPrintsTheUsage() {
        assertUsage(run("", "--help"), null);
        assertUsage(run("", "-h"), null);
        assertUsage(run("", "decode", "--help"), null);
        assertThat(WbxmlTool.usage()).contains("wbxml decode").contains("wbxml encode").contains("--max-depth");
    }

    @Test
    void unknownCommandsAndOptionsPrintTheUsage() {
        assertUsage(run(""), "wbxml: no command given");
        assertUsage(run("", "dump"), "wbxml: unknown command 'dump'");
        assertUsage(run("", "decode", "--pretty"), "wbxml: unknown option '--pretty' for decode");
        assertUsage(run("", "decode", "file.wbxml"), "wbxml: unknown option 'file.wbxml' for decode");
        assertUsage(run("", "encode", "--redact"), "wbxml: --redact applies to decode only");
        assertUsage(run("", "decode", "--hex=yes"), "wbxml: --hex takes no value");
    }

    @Test
    void badLimitValuesPrintTheUsage() {
        assertUsage(run("", "decode", "--max-depth"), "wbxml: --max-depth needs a value");
        assertUsage(run("", "decode", "--max-depth", "deep"), "wbxml: --max-depth needs a whole number, got 'deep'");
        assertUsage(run("", "decode", "--max-depth", "0"), "wbxml: --max-depth must be between 1 and 4096, got 0");
        assertUsage(run("", "decode", "--max-depth", "5000"),
                "wbxml: --max-depth must be between 1 and 4096, got 5000");
        assertUsage(run("", "decode", "--max-elements", "-1"),
                "wbxml: --max-elements needs a whole number, got '-1'");
        assertUsage(run("", "decode", "--max-opaque-bytes", "4g"),
                "wbxml: --max-opaque-bytes must be between 0 and 2147483647, got 4g");
        assertUsage(run("", "decode", "--max-input", "99999999999999"),
                "wbxml: --max-input needs a whole number, got '99999999999999'");
    }

    @Test
    void sizeSuffixesAreBinaryMultiples() {
        byte[] doc = hex("03016a00 4b 03 " + "41".repeat(2048) + " 00 01");

        assertThat(run(doc, "decode", "--max-string-bytes", "2k").status()).isZero();
        assertThat(run(doc, "decode", "--max-string-bytes", "2047").status()).isEqualTo(WbxmlTool.EXIT_BAD_INPUT);
        assertThat(run(doc, "decode", "--max-input", "1M").status()).isZero();
    }
}
