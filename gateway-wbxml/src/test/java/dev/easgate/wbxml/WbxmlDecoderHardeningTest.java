package dev.easgate.wbxml;

import static dev.easgate.wbxml.WbxmlException.Reason.BAD_HEADER;
import static dev.easgate.wbxml.WbxmlException.Reason.INTEGER_OVERFLOW;
import static dev.easgate.wbxml.WbxmlException.Reason.MALFORMED_STRUCTURE;
import static dev.easgate.wbxml.WbxmlException.Reason.TOO_DEEP;
import static dev.easgate.wbxml.WbxmlException.Reason.TOO_LONG;
import static dev.easgate.wbxml.WbxmlException.Reason.TOO_MANY_ELEMENTS;
import static dev.easgate.wbxml.WbxmlException.Reason.TRAILING_DATA;
import static dev.easgate.wbxml.WbxmlException.Reason.TRUNCATED;
import static dev.easgate.wbxml.WbxmlException.Reason.UNKNOWN_PAGE;
import static dev.easgate.wbxml.WbxmlException.Reason.UNKNOWN_TOKEN;
import static dev.easgate.wbxml.WbxmlException.Reason.UNSUPPORTED_FEATURE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.easgate.wbxml.WbxmlException.Reason;
import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every way the decoder refuses input, each with its {@link Reason} and the exact byte offset it reports, plus
 * inputs built to exhaust the stack, the heap or the clock. Offsets count from the first header byte; the header
 * {@code 03 01 6A 00} takes offsets 0 to 3, so the first body token is at offset 4.
 */
class WbxmlDecoderHardeningTest {
    private static final String HEADER = "03016a00";
    private static final WbxmlLimits UNLIMITED =
            new WbxmlLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    private static WbxmlException refusal(WbxmlDecoder decoder, byte[] input) {
        WbxmlException e = catchThrowableOfType(WbxmlException.class, () -> decoder.decode(input));
        assertThat(e).as("decoding must be refused").isNotNull();
        return e;
    }

    private static void assertRefused(WbxmlDecoder decoder, String hex, Reason reason, long offset) {
        WbxmlException e = refusal(decoder, hex(hex));
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.offset()).as(e.getMessage()).isEqualTo(offset);
        assertThat(e.getMessage()).endsWith(" at byte offset " + offset + " (" + reason + ")");
        // the same bytes behind a non-zero reader index report the same document offset
        ByteBuf shifted = Unpooled.buffer().writeBytes(new byte[] {7, 7, 7}).writeBytes(hex(hex)).readerIndex(3);
        WbxmlException again = catchThrowableOfType(WbxmlException.class, () -> decoder.decode(shifted));
        assertThat(again).isNotNull();
        assertThat(again.offset()).isEqualTo(offset);
    }

    private static void assertRefused(String hex, Reason reason, long offset) {
        assertRefused(WbxmlDecoder.DEFAULT, hex, reason, offset);
    }

    private static WbxmlDecoder decoder(WbxmlLimits limits) {
        return new WbxmlDecoder(limits);
    }

    // ---- truncation -------------------------------------------------------------------------------------------------

    @Test
    void emptyInput() {
        assertRefused("", TRUNCATED, 0);
    }

    @Test
    void truncatedInTheHeader() {
        assertRefused("03", TRUNCATED, 1);
        assertRefused("0301", TRUNCATED, 2);
        assertRefused("03016a", TRUNCATED, 3);
        assertRefused("0381", TRUNCATED, 2); // inside a multi-byte public id
    }

    @Test
    void truncatedBeforeTheRoot() {
        assertRefused(HEADER, TRUNCATED, 4);
        assertRefused(HEADER + "00", TRUNCATED, 5); // SWITCH_PAGE without its page
        assertRefused(HEADER + "0007", TRUNCATED, 6);
    }

    @Test
    void truncatedInAString() {
        assertRefused(HEADER + "4b 03 4142", TRUNCATED, 5); // reported at the STR_I token
        assertRefused(HEADER + "4b 03", TRUNCATED, 5);
    }

    @Test
    void truncatedInAnOpaqueLength() {
        assertRefused(HEADER + "4b c3", TRUNCATED, 6);
        assertRefused(HEADER + "4b c3 8181", TRUNCATED, 8);
    }

    @Test
    void truncatedInOpaqueData() {
        assertRefused(HEADER + "4b c3 05 4142", TRUNCATED, 5); // reported at the OPAQUE token
    }

    @Test
    void openElementAtTheEnd() {
        assertRefused(HEADER + "45 4b 03 3000 01", TRUNCATED, 10);
        assertRefused(HEADER + "45", TRUNCATED, 5);
    }

    // ---- header -----------------------------------------------------------------------------------------------------

    @Test
    void badVersion() {
        assertRefused("04016a00 4501", BAD_HEADER, 0);
        assertRefused("00016a00 4501", BAD_HEADER, 0);
        assertRefused("83016a00 4501", BAD_HEADER, 0);
        assertThat(WbxmlDecoder.DEFAULT.decode(hex("01016a00 05")).name()).isEqualTo("Sync"); // WBXML 1.1 is fine
    }

    @Test
    void charsetOtherThanUtf8() {
        assertRefused("030104 00 05", BAD_HEADER, 2); // ISO-8859-1
        assertRefused("0301 836a 00 05", BAD_HEADER, 2); // 490, not 106
        assertRefused("0301 00 00 05", BAD_HEADER, 2);
    }

    @Test
    void stringTable() {
        assertRefused("03016a 02 4100 05", UNSUPPORTED_FEATURE, 3);
        assertRefused("03016a 8100 05", UNSUPPORTED_FEATURE, 3);
    }

    @Test
    void publicIdInTheStringTable() {
        assertRefused("03 00 00 6a 00 05", UNSUPPORTED_FEATURE, 1);
    }

    // ---- tokens -----------------------------------------------------------------------------------------------------

    @Test
    void unknownCodePage() {
        assertThat(CodePage.byNumber(26)).isNull();
        assertRefused(HEADER + "00 1a 45 01", UNKNOWN_PAGE, 5);
        assertRefused(HEADER + "00 c8 45 01", UNKNOWN_PAGE, 5);
        assertRefused(HEADER + "45 00 ff 01", UNKNOWN_PAGE, 6);
    }

    @Test
    void unknownTokenOnAPage() {
        int undefined = firstUndefinedToken(CodePage.AIR_SYNC);
        String token = String.format("%02x", undefined);
        assertRefused(HEADER + token, UNKNOWN_TOKEN, 4);
        assertRefused(HEADER + "45 " + String.format("%02x", undefined | 0x40) + " 01 01", UNKNOWN_TOKEN, 5);
        // the same token is known or not depending on the page in effect
        for (CodePage page : CodePage.values()) {
            for (int other = 0x05; other <= 0x3f; other++) {
                if (page.tag(other) == null && CodePage.AIR_SYNC.tag(other) != null) {
                    assertThat(WbxmlDecoder.DEFAULT.decode(hex(HEADER + String.format("%02x", other)))).isNotNull();
                    assertRefused(HEADER + String.format("00%02x %02x", page.number(), other), UNKNOWN_TOKEN, 6);
                    return;
                }
            }
        }
        throw new AssertionError("every page defines every AirSync token");
    }

    private static int firstUndefinedToken(CodePage page) {
        for (int token = 0x05; token <= 0x3f; token++) {
            if (page.tag(token) == null) {
                return token;
            }
        }
        throw new AssertionError("page " + page + " defines every token");
    }

    @Test
    void attributesBitOnATag() {
        assertRefused(HEADER + "85 01", UNSUPPORTED_FEATURE, 4);
        assertRefused(HEADER + "45 cb 01 01", UNSUPPORTED_FEATURE, 5);
    }

    /** ENTITY, LITERAL, EXT_I_0..2, PI, LITERAL_C, EXT_T_0..2, STR_T, LITERAL_A, EXT_0..2, LITERAL_AC. */
    @ParameterizedTest(name = "global token 0x{0}")
    @ValueSource(strings = {"02", "04", "40", "41", "42", "43", "44", "80", "81", "82", "83", "84", "c0", "c1", "c2",
            "c4"})
    void globalTokensEasDoesNotUse(String token) {
        assertRefused(HEADER + token + " 00 00 00", UNSUPPORTED_FEATURE, 4);
        assertRefused(HEADER + "45 " + token + " 00 00 00 01", UNSUPPORTED_FEATURE, 5);
    }

    // ---- integers ---------------------------------------------------------------------------------------------------

    @Test
    void multiByteIntegerWithSixBytes() {
        assertRefused(HEADER + "4b c3 808080808080 01 01", INTEGER_OVERFLOW, 6);
        assertRefused("03 808080808001 6a 00 05", INTEGER_OVERFLOW, 1);
        assertRefused("0301 80808080806a 00 05", INTEGER_OVERFLOW, 2);
    }

    @Test
    void fiveByteIntegerAboveIntMax() {
        assertRefused(HEADER + "4b c3 8fffffff7f 01", INTEGER_OVERFLOW, 6); // 2^32 - 1
        assertRefused(HEADER + "4b c3 8880808000 01", INTEGER_OVERFLOW, 6); // 2^31
        assertRefused("03016a 8880808000 05", INTEGER_OVERFLOW, 3);
    }

    @Test
    void fiveByteIntegersUpToIntMaxAreLengths() {
        // 2^31 - 1 is a valid length, refused only for being over the opaque limit
        assertRefused(HEADER + "4b c3 87ffffff7f 01", TOO_LONG, 5);
        // non-minimal encodings are allowed: 80 80 80 80 01 is 1
        WbxmlElement root = WbxmlDecoder.DEFAULT.decode(hex(HEADER + "4b c3 8080808001 41 01"));
        assertThat(root.opaque().toByteArray()).containsExactly(0x41);
    }

    // ---- limits -----------------------------------------------------------------------------------------------------

    @Test
    void nestingDeeperThanTheDefaultLimit() {
        assertThat(WbxmlLimits.DEFAULT.maxDepth()).isEqualTo(64);
        assertRefused(HEADER + "5c".repeat(65), TOO_DEEP, 4 + 64);
        assertRefused(HEADER + "5c".repeat(64) + "1c", TOO_DEEP, 4 + 64); // an empty leaf is as deep
        String atTheLimit = HEADER + "5c".repeat(63) + "1c" + "01".repeat(63);
        assertThatCode(() -> WbxmlDecoder.DEFAULT.decode(hex(atTheLimit))).doesNotThrowAnyException();
    }

    @Test
    void nestingDeeperThanAConfiguredLimit() {
        WbxmlDecoder three = decoder(WbxmlLimits.DEFAULT.withMaxDepth(3));
        assertRefused(three, HEADER + "5c5c5c5c", TOO_DEEP, 7);
        assertRefused(three, HEADER + "5c5c5c 1c 010101", TOO_DEEP, 7);
        assertRefused(decoder(WbxmlLimits.DEFAULT.withMaxDepth(1)), HEADER + "45 0b 01", TOO_DEEP, 5);
        assertThat(decoder(WbxmlLimits.DEFAULT.withMaxDepth(1)).decode(hex(HEADER + "4b 03 3100 01")).text())
                .isEqualTo("1");
    }

    @Test
    void stringLongerThanTheLimit() {
        WbxmlDecoder five = decoder(WbxmlLimits.DEFAULT.withMaxStringBytes(5));
        assertRefused(five, HEADER + "4b 03 414243444546 00 01", TOO_LONG, 5);
        assertThat(five.decode(hex(HEADER + "4b 03 4142434445 00 01")).text()).isEqualTo("ABCDE");
        // a value split into several inline strings is one text, and the limit is on the whole
        assertRefused(five, HEADER + "4b 03 414243 00 03 444546 00 01", TOO_LONG, 10);
        assertThat(five.decode(hex(HEADER + "4b 03 4142 00 03 434445 00 01")).text()).isEqualTo("ABCDE");
    }

    @Test
    void opaqueLongerThanTheLimit() {
        WbxmlDecoder four = decoder(WbxmlLimits.DEFAULT.withMaxOpaqueBytes(4));
        assertRefused(four, HEADER + "4b c3 05 4142434445 01", TOO_LONG, 5);
        assertThat(four.decode(hex(HEADER + "4b c3 04 41424344 01")).opaque().length()).isEqualTo(4);
    }

    @Test
    void opaqueClaimingTwoGigabytesAllocatesNothing() {
        String claim = HEADER + "4b c3 87ffffff7f 414243";
        assertRefused(claim, TOO_LONG, 5);
        assertRefused(decoder(UNLIMITED), claim, TRUNCATED, 5);
    }

    @Test
    void tooManyElements() {
        WbxmlDecoder three = decoder(WbxmlLimits.DEFAULT.withMaxElements(3));
        assertRefused(three, HEADER + "45 0b 0c 0d 01", TOO_MANY_ELEMENTS, 7);
        assertThat(three.decode(hex(HEADER + "45 0b 0c 01")).children()).hasSize(2);
    }

    // ---- structure --------------------------------------------------------------------------------------------------

    @Test
    void endWithoutAnOpenElement() {
        assertRefused(HEADER + "01", MALFORMED_STRUCTURE, 4);
    }

    @Test
    void valueOutsideAnyElement() {
        assertRefused(HEADER + "03 4100", MALFORMED_STRUCTURE, 4);
        assertRefused(HEADER + "c3 0141", MALFORMED_STRUCTURE, 4);
    }

    @Test
    void textBesideChildren() {
        assertRefused(HEADER + "45 4b 03 3100 01 03 4100 01", MALFORMED_STRUCTURE, 10); // text after a child
        assertRefused(HEADER + "45 03 4100 0b 01", MALFORMED_STRUCTURE, 8); // a child after text
        assertRefused(HEADER + "45 c3 0141 0b 01", MALFORMED_STRUCTURE, 8); // a child after opaque data
    }

    @Test
    void textAndOpaqueMixed() {
        assertRefused(HEADER + "4b 03 4100 c3 0142 01", MALFORMED_STRUCTURE, 8);
        assertRefused(HEADER + "4b c3 0141 03 4200 01", MALFORMED_STRUCTURE, 8);
        assertRefused(HEADER + "4b c3 0141 c3 0142 01", MALFORMED_STRUCTURE, 8);
    }

    @Test
    void trailingDataAfterTheRoot() {
        assertRefused(HEADER + "45 01 00", TRAILING_DATA, 6);
        assertRefused(HEADER + "05 05", TRAILING_DATA, 5); // a second root
        assertRefused(HEADER + "45 01 45 01", TRAILING_DATA, 6);
    }

    // ---- resource exhaustion ----------------------------------------------------------------------------------------

    @Test
    void tenMegabytesOfOpenTagsDoNotOverflowTheStack() {
        byte[] input = new byte[10 << 20];
        Arrays.fill(input, (byte) 0x5c);
        System.arraycopy(hex(HEADER), 0, input, 0, 4);

        WbxmlException e = refusal(decoder(UNLIMITED), input);

        assertThat(e.reason()).isEqualTo(TRUNCATED);
        assertThat(e.offset()).isEqualTo(input.length);
        assertThat(refusal(WbxmlDecoder.DEFAULT, input).reason()).isEqualTo(TOO_DEEP);
    }

    @Test
    void aFiveMillionDeepDocumentDecodesWithoutRecursion() {
        int depth = 5_000_000;
        byte[] input = new byte[4 + 2 * depth - 1];
        System.arraycopy(hex(HEADER), 0, input, 0, 4);
        Arrays.fill(input, 4, 4 + depth - 1, (byte) 0x5c);
        input[4 + depth - 1] = 0x1c;
        Arrays.fill(input, 4 + depth, input.length, (byte) 0x01);

        WbxmlElement element = decoder(UNLIMITED).decode(input);

        int levels = 1;
        while (!element.children().isEmpty()) {
            element = element.children().get(0);
            levels++;
        }
        assertThat(levels).isEqualTo(depth);
    }

    @Test
    void manyInlineStringFragmentsJoinInLinearTime() {
        // one element whose text is a million one-byte inline strings: joining them pairwise would copy ~5e11 chars
        int fragments = 1 << 20;
        byte[] input = new byte[4 + 1 + 3 * fragments + 1];
        System.arraycopy(hex(HEADER + "4b"), 0, input, 0, 5);
        for (int i = 0; i < fragments; i++) {
            input[5 + 3 * i] = 0x03;
            input[6 + 3 * i] = 0x41;
        }
        input[input.length - 1] = 0x01;

        WbxmlElement root = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> WbxmlDecoder.DEFAULT.decode(input));

        assertThat(root.text()).isEqualTo("A".repeat(fragments));
        assertRefused(decoder(WbxmlLimits.DEFAULT.withMaxStringBytes(fragments - 1)),
                HexFormat.of().formatHex(input), TOO_LONG, input.length - 4);
    }

    @Test
    void encodesADeepTreeBuiltInCode() {
        int depth = 5000;
        Tag collections = CodePage.AIR_SYNC.require("Collections");
        WbxmlElement tree = WbxmlElement.text(CodePage.AIR_SYNC.require("SyncKey"), "1");
        for (int i = 1; i < depth; i++) {
            tree = WbxmlElement.parent(collections, List.of(tree));
        }

        byte[] bytes = WbxmlEncoder.encode(tree);

        assertThat(bytes).hasSize(WbxmlEncoder.encodedLength(tree));
        assertThat(bytes.length).isEqualTo(4 + (depth - 1) * 2 + 5);
        WbxmlElement decoded = decoder(WbxmlLimits.DEFAULT.withMaxDepth(depth)).decode(bytes);
        List<WbxmlElement> path = new ArrayList<>();
        for (WbxmlElement e = decoded; e != null; e = e.children().isEmpty() ? null : e.children().get(0)) {
            path.add(e);
        }
        assertThat(path).hasSize(depth);
        assertThat(path.get(depth - 1).text()).isEqualTo("1");
        assertRefused(decoder(WbxmlLimits.DEFAULT.withMaxDepth(depth - 1)), HexFormat.of().formatHex(bytes),
                TOO_DEEP, 4 + depth - 1);
    }
}
