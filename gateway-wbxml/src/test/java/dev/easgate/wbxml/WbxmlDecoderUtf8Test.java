package dev.easgate.wbxml;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The decoder's UTF-8 fast path gives exactly what {@code new String(bytes, UTF_8)} gives, valid input or not. */
class WbxmlDecoderUtf8Test {

    private static void assertSameAsTheJdk(byte[] bytes, int offset, int length) {
        assertThat(WbxmlDecoder.Utf8.decode(bytes, offset, length))
                .isEqualTo(new String(bytes, offset, length, StandardCharsets.UTF_8));
    }

    @Test
    void decodesWellFormedTextOfEveryWidth() {
        String[] texts = {"", "a", "abcdefgh", "abcdefghi", "caf\u00e9", "\u00e9abcdefghijklmnop", "\u20ac\u2014\u00bd",
                "\uD83D\uDE00 smile", "x".repeat(100) + "\uD83D\uDE80" + "y".repeat(13), "\u0800\uFFFD\uFFFF\u07FF"};
        for (String text : texts) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            assertThat(WbxmlDecoder.Utf8.decode(bytes, 0, bytes.length)).isEqualTo(text);
        }
    }

    @Test
    void malformedInputFallsBackToTheJdkRules() {
        int[][] cases = {{0xC0, 0x80}, {0xC1, 0xBF}, {0xE0, 0x80, 0x80}, {0xED, 0xA0, 0x80}, {0xF0, 0x80, 0x80, 0x80},
                {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0x80}, {0xC3}, {0xE2, 0x82}, {0xF0, 0x9F, 0x98},
                {0xFF}, {0x61, 0xC3, 0x28, 0x62}};
        for (int[] c : cases) {
            byte[] bytes = new byte[c.length + 9];
            for (int i = 0; i < c.length; i++) {
                bytes[9 + i] = (byte) c[i];
            }
            java.util.Arrays.fill(bytes, 0, 9, (byte) 'a');
            assertSameAsTheJdk(bytes, 0, bytes.length);
            assertSameAsTheJdk(bytes, 9, c.length);
        }
    }

    @Test
    void randomInputMatchesTheJdk() {
        Random random = new Random(42);
        byte[] pieces = "a\u00e9\u20ac\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                int kind = random.nextInt(10);
                bytes[i] = kind < 6 ? (byte) ('a' + random.nextInt(26))
                        : kind < 9 ? pieces[random.nextInt(pieces.length)] : (byte) random.nextInt(256);
            }
            int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            assertSameAsTheJdk(bytes, offset, bytes.length - offset);
        }
    }
}
