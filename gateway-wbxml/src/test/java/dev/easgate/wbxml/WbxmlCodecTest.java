package dev.easgate.wbxml;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.wbxml.codepage.CodePage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WbxmlCodecTest {

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    @Test
    void folderSyncRequestEncodesToTheBytesOfTheSpecification() {
        WbxmlElement request = el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build();

        byte[] bytes = WbxmlEncoder.encode(request);

        // 03 01 6A 00 header, SWITCH_PAGE 7, FolderSync|content, SyncKey|content, STR_I "0", END, END
        assertThat(bytes).isEqualTo(hex("03016A00 0007 56 52 03 3000 01 01"));
        assertThat(WbxmlDecoder.DEFAULT.decode(bytes)).isEqualTo(request);
    }

    @Test
    void switchesPageOnlyWhenThePageChanges() {
        WbxmlElement sync = el(CodePage.AIR_SYNC, "Sync").child("Collections", c -> c
                .child("Collection", col -> col
                        .child("SyncKey", "1")
                        .child("CollectionId", "5")
                        .child("Options", o -> o
                                .child("AirSyncBase:BodyPreference", bp -> bp
                                        .child("Type", 2)
                                        .child("TruncationSize", 5120))
                                .child("MIMESupport", 0))))
                .build();

        byte[] bytes = WbxmlEncoder.encode(sync);
        WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(bytes);

        assertThat(decoded).isEqualTo(sync);
        // one switch into AirSyncBase, one back to AirSync for MIMESupport: exactly two SWITCH_PAGE pairs
        String hex = HexFormat.of().formatHex(bytes);
        assertThat(hex).contains("001145").contains("000062");
        assertThat(WbxmlEncoder.encodedLength(sync)).isEqualTo(bytes.length);
    }

    @Test
    void keepsEmptyTextApartFromNoValue() {
        WbxmlElement root = el(CodePage.AIR_SYNC, "Sync")
                .empty("MoreAvailable")
                .child("SyncKey", "")
                .build();

        byte[] bytes = WbxmlEncoder.encode(root);

        assertThat(bytes).isEqualTo(hex("03016A00 45 14 4B 03 00 01 01"));
        WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(bytes);
        assertThat(decoded.child("MoreAvailable").hasContent()).isFalse();
        assertThat(decoded.child("SyncKey").text()).isEmpty();
        assertThat(decoded).isEqualTo(root);
    }

    @Test
    void opaqueAndNonBmpTextRoundTrip() {
        byte[] mime = "From: a@example.com\r\n\r\n\u00e9t\u00e9 \uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
        WbxmlElement root = el(CodePage.COMPOSE_MAIL, "SendMail")
                .child("ClientId", "\uD83D\uDE00 caf\u00e9")
                .opaque("Mime", mime)
                .build();

        byte[] bytes = WbxmlEncoder.encode(root);
        WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(bytes);

        assertThat(decoded).isEqualTo(root);
        assertThat(decoded.child("Mime").opaque().toByteArray()).isEqualTo(mime);
        assertThat(decoded.childText("ClientId")).isEqualTo("\uD83D\uDE00 caf\u00e9");
    }

    @Test
    void opaqueIsAViewOfTheInputNotACopy() {
        byte[] data = new byte[300];
        WbxmlElement root = el(CodePage.COMPOSE_MAIL, "SendMail").opaque("Mime", data).build();
        ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer();
        try {
            WbxmlEncoder.encode(root, direct);
            WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(direct);
            ByteBuf view = decoded.child("Mime").opaque().buffer();
            assertThat(view.isDirect()).isTrue();
            assertThat(view.readableBytes()).isEqualTo(300);
            assertThat(direct.isReadable()).isFalse();
        } finally {
            direct.release();
        }
    }

    @Test
    void decodesFromAByteBufOffsetAndEncodesIntoOne() {
        WbxmlElement ping = el(CodePage.PING, "Ping").child("HeartbeatInterval", 480)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", "1").child("Class", "Email")))
                .build();
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(new byte[] {9, 9, 9});
        buf.readerIndex(3);
        WbxmlEncoder.encode(ping, buf);

        assertThat(WbxmlDecoder.DEFAULT.decode(buf)).isEqualTo(ping);
    }

    @Test
    void truncatedInputNamesItsOffset() {
        byte[] bytes = hex("03016A00 0007 56 52 03 3000 01");

        assertThatThrownBy(() -> WbxmlDecoder.DEFAULT.decode(bytes))
                .isInstanceOf(WbxmlException.class)
                .satisfies(e -> assertThat(((WbxmlException) e).reason()).isEqualTo(WbxmlException.Reason.TRUNCATED))
                .satisfies(e -> assertThat(((WbxmlException) e).offset()).isEqualTo(12));
    }

    @Test
    void refusesNestingDeeperThanTheLimit() {
        StringBuilder hex = new StringBuilder("03016A00");
        hex.append("5C".repeat(100)); // Collections|content, 100 deep
        WbxmlDecoder decoder = new WbxmlDecoder(WbxmlLimits.DEFAULT.withMaxDepth(10));

        assertThatThrownBy(() -> decoder.decode(hex(hex.toString())))
                .isInstanceOf(WbxmlException.class)
                .satisfies(e -> assertThat(((WbxmlException) e).reason()).isEqualTo(WbxmlException.Reason.TOO_DEEP))
                .satisfies(e -> assertThat(((WbxmlException) e).offset()).isEqualTo(14));
    }

    @Test
    void aDetachedTreeKeepsItsOpaqueValuesAfterTheDecodedBufferIsReleased() {
        WbxmlElement sent = el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> c
                .child("SyncKey", "7").child("Options", o -> o.opaque("AirSyncBase:BodyPreference",
                        "opaque bytes".getBytes(StandardCharsets.US_ASCII))))).build();
        ByteBuf buffer = Unpooled.directBuffer();
        buffer.writeBytes(WbxmlEncoder.encode(sent));
        WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(buffer);
        WbxmlElement detached = decoded.detached();
        assertThat(detached).isEqualTo(decoded);
        buffer.release();
        assertThat(detached.child("Collections").child("Collection").child("Options")
                .child("AirSyncBase:BodyPreference").opaque().toUtf8()).isEqualTo("opaque bytes");
        // a tree without opaque values is its own detached copy
        WbxmlElement plain = el(CodePage.AIR_SYNC, "SyncKey").text("1").build();
        assertThat(plain.detached()).isSameAs(plain);
    }
}
