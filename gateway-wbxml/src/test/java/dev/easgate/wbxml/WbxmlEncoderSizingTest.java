package dev.easgate.wbxml;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

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
}
