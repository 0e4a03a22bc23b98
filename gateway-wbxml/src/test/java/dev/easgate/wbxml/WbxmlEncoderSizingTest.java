package dev.easgate.wbxml;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.wbxml.codepage.CodePage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Encoding into exactly sized outputs: text of every UTF-8 width must fit its exact length, no slack needed. */
class WbxmlEncoderSizingTest {

    private static WbxmlElement mixedText() {
        return el(CodePage.PING, "Ping").child("HeartbeatInterval", 480)
                .child("Folders", f -> f
                        .child("Folder", x -> x.child("Id", "1").child("Class", "Email"))
                        .child("Folder", x -> x.child("Id", "caf\u00e9 \u20ac \uD83D\uDE00").child("Class", "x".repeat(700))))
                .build();
    }

    @Test
    void encodesTextIntoAnExactlySizedArray() {
        WbxmlElement root = mixedText();

        byte[] bytes = WbxmlEncoder.encode(root);

        assertThat(bytes).hasSize(WbxmlEncoder.encodedLength(root));
        assertThat(WbxmlDecoder.DEFAULT.decode(bytes)).isEqualTo(root);
    }

    @Test
    void encodesTextIntoExactlySizedBuffers() {
        WbxmlElement root = mixedText();
        byte[] expected = WbxmlEncoder.encode(root);
        for (ByteBufAllocator allocator : new ByteBufAllocator[] {
                Unpooled.buffer(0).alloc(), ByteBufAllocator.DEFAULT}) {
            ByteBuf out = WbxmlEncoder.encode(root, allocator);
            try {
                assertThat(out.capacity()).isEqualTo(expected.length);
                assertThat(ByteBufUtil.getBytes(out)).isEqualTo(expected);
            } finally {
                out.release();
            }
        }
        ByteBuf bounded = Unpooled.directBuffer(expected.length, expected.length);
        try {
            WbxmlEncoder.encode(root, bounded);
            assertThat(ByteBufUtil.getBytes(bounded)).isEqualTo(expected);
        } finally {
            bounded.release();
        }
    }

    @Test
    void writesTextAsStringGetBytesDoesAtEveryBoundary() {
        String pair = "\uD83D\uDE00";
        java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of(
                "", "a", "abcdefgh", "abcdefg\u00e9", "\u00e9abcdefgh", "x\uD800", "\uDC00x", "\uD800x",
                "\uD800", "abcdefg" + pair + "abcdefgh", "\u20ac".repeat(9), pair.repeat(5)));
        for (int at = 2040; at <= 2050; at++) { // a pair across the end of a block of chars
            texts.add("a".repeat(at) + pair + "\u00e9".repeat(3000));
        }
        for (String text : texts) {
            WbxmlElement root = WbxmlElement.text(CodePage.AIR_SYNC.require("SyncKey"), text);
            byte[] expected = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);

            byte[] bytes = WbxmlEncoder.encode(root);
            ByteBuf direct = Unpooled.directBuffer(16);
            try {
                WbxmlEncoder.encode(root, direct);
                assertThat(ByteBufUtil.getBytes(direct)).isEqualTo(bytes);
            } finally {
                direct.release();
            }

            assertThat(bytes).hasSize(WbxmlEncoder.encodedLength(root));
            assertThat(java.util.Arrays.copyOfRange(bytes, 6, 6 + expected.length)).isEqualTo(expected);
            assertThat(bytes.length).isEqualTo(6 + expected.length + 2);
        }
    }

    @Test
    void leavesTheWriterIndexWhenTheBufferCannotHoldTheDocument() {
        WbxmlElement root = mixedText();
        ByteBuf small = Unpooled.directBuffer(8, 100);
        try {
            small.writeByte(7);
            assertThatThrownBy(() -> WbxmlEncoder.encode(root, small)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(small.writerIndex()).isEqualTo(1);
        } finally {
            small.release();
        }
    }
}
