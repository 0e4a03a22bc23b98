package dev.easgate.bench.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark documents decode to what was built, so the benchmark measures real work. */
class DocumentsTest {

    @Test
    void syncResponseRoundTripsFromAnArrayAndADirectBuffer() {
        WbxmlElement sync = Documents.syncResponse();
        byte[] bytes = WbxmlEncoder.encode(sync);

        assertThat(WbxmlDecoder.DEFAULT.decode(bytes)).isEqualTo(sync);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        try {
            direct.writeBytes(bytes);
            WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(direct);
            assertThat(decoded).isEqualTo(sync);
            direct.readerIndex(0);
            assertThat(WbxmlDecoder.DEFAULT.decode(direct)).isEqualTo(sync);
        } finally {
            direct.release();
        }
    }

    @Test
    void syncResponseHoldsFiftyRealisticEmails() {
        WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(WbxmlEncoder.encode(Documents.syncResponse()));

        WbxmlElement collection = decoded.child("Collections").child("Collection");
        List<WbxmlElement> adds = collection.child("Commands").children("Add");
        assertThat(adds).hasSize(Documents.SYNC_EMAILS);
        assertThat(collection.child("MoreAvailable").hasContent()).isFalse();
        for (WbxmlElement add : adds) {
            WbxmlElement data = add.child("ApplicationData");
            String preview = data.childText("AirSyncBase:Preview");
            assertThat(preview.getBytes(StandardCharsets.UTF_8)).hasSize(Documents.PREVIEW_BYTES);
            assertThat(data.child("AirSyncBase:Body").childText("Data").getBytes(StandardCharsets.UTF_8))
                    .hasSize(Documents.BODY_BYTES);
            assertThat(data.child("Email2:ConversationId").opaque().length()).isEqualTo(16);
            assertThat(data.childText("Email:MessageClass")).isEqualTo("IPM.Note");
        }
        String allText = decoded.toString();
        assertThat(allText).isNotEmpty();
        String previews = String.join("", adds.stream()
                .map(a -> a.child("ApplicationData").childText("AirSyncBase:Preview")).toList());
        assertThat(previews).contains("é").contains("\uD83D\uDE00");
    }

    @Test
    void pingRoundTrips() {
        WbxmlElement ping = Documents.pingRequest();
        WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(WbxmlEncoder.encode(ping));

        assertThat(decoded).isEqualTo(ping);
        assertThat(decoded.child("Folders").children("Folder")).hasSize(5);
        assertThat(decoded.childText("HeartbeatInterval")).isEqualTo("480");
    }

    @Test
    void documentsAreDeterministic() {
        assertThat(WbxmlEncoder.encode(Documents.syncResponse()))
                .isEqualTo(WbxmlEncoder.encode(Documents.syncResponse()));
    }
}
