package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import org.junit.jupiter.api.Test;

class SyncRequestParserTest {

    static WbxmlElement request() {
        return WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                .child("Collections", cs -> cs
                        .child("Collection", c -> c.child("SyncKey", "4").child("CollectionId", "f1")
                                .empty("DeletesAsMoves").child("GetChanges", "0").child("WindowSize", 25)
                                .child("Options", o -> o.child("FilterType", 3).child("MIMESupport", 2)
                                        .child("AirSyncBase:BodyPreference", b -> b.child("Type", 2)
                                                .child("TruncationSize", 500).child("AllOrNone", "1")))
                                .child("Commands", cmd -> cmd
                                        .child("Add", a -> a.child("ClientId", "c1")
                                                .child("ApplicationData", d -> d.child("Contacts:FirstName", "A")))
                                        .child("Change", ch -> ch.child("ServerId", "s1")
                                                .child("ApplicationData", d -> d.child("Email:Read", "1")))
                                        .child("Delete", d -> d.child("ServerId", "s2"))
                                        .child("Fetch", f -> f.child("ServerId", "s3"))))
                        .child("Collection", c -> c.child("SyncKey", "0").child("CollectionId", "f2")))
                .child("HeartbeatInterval", 300)
                .child("WindowSize", 50)
                .build();
    }

    @Test
    void readsCollectionsCommandsAndTimers() {
        SyncRequest parsed = SyncRequestParser.parse(request());
        assertThat(parsed.heartbeatSeconds()).isEqualTo(300);
        assertThat(parsed.windowSize()).isEqualTo(50);
        assertThat(parsed.waitMinutes()).isNull();
        CollectionRequest first = parsed.collections().get(0);
        assertThat(first.syncKey()).isEqualTo("4");
        assertThat(first.deletesMove()).isTrue();
        assertThat(first.wantsChanges()).isFalse();
        assertThat(first.windowSize()).isEqualTo(25);
        assertThat(first.commands()).hasSize(4);
        assertThat(first.commands().get(0)).isInstanceOf(ClientCommand.Add.class);
        assertThat(((ClientCommand.Add) first.commands().get(0)).clientId()).isEqualTo("c1");
        assertThat(first.commands().get(3)).isEqualTo(new ClientCommand.Fetch("s3"));
        CollectionOptions options = CollectionOptions.NONE.update(first);
        var content = options.content(dev.easgate.core.protocol.ProtocolVersion.V14_1,
                dev.easgate.backends.mail.ItemClass.EMAIL);
        assertThat(content.mimeSupport()).isEqualTo(2);
        assertThat(content.preference(2).truncationSize()).isEqualTo(500);
        assertThat(content.preference(2).allOrNone()).isTrue();
        assertThat(options.filterType(dev.easgate.backends.mail.ItemClass.EMAIL)).isEqualTo(3);
        // the options survive their stored form
        assertThat(CollectionOptions.decode(options.encode()).filterType(dev.easgate.backends.mail.ItemClass.EMAIL))
                .isEqualTo(3);
        CollectionRequest second = parsed.collections().get(1);
        assertThat(second.initial()).isTrue();
        assertThat(second.wantsChanges()).isFalse();
    }

    @Test
    void malformedRequestsAreProtocolErrors() {
        assertThatThrownBy(() -> SyncRequestParser.parse(WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                .child("Collections", cs -> cs.child("Collection", c -> c.child("CollectionId", "f1"))).build()))
                .isInstanceOf(SyncProtocolException.class);
        assertThatThrownBy(() -> SyncRequestParser.parse(WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                .child("Collections", cs -> cs.child("Collection", c -> c.child("SyncKey", "0")
                        .child("CollectionId", "f1")
                        .child("Commands", cmd -> cmd.child("Delete", d -> d.child("ServerId", "x"))))).build()))
                .isInstanceOf(SyncProtocolException.class);
        assertThatThrownBy(() -> SyncRequestParser.parse(WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                .child("Wait", "soon").build())).isInstanceOf(SyncProtocolException.class);
    }

    @Test
    void partialRequestsCompleteTheCachedOne() {
        SyncRequest cached = SyncRequestParser.parse(WbxmlDecoder.DEFAULT.decode(WbxmlEncoder.encode(
                SyncRequestParser.write(SyncRequestParser.parse(request())))));
        assertThat(cached.collections().get(0).commands()).isEmpty(); // the cache holds no commands
        SyncRequest partial = SyncRequestParser.parse(WbxmlElement.el(CodePage.AIR_SYNC, "Sync")
                .child("Collections", cs -> cs.child("Collection", c -> c.child("SyncKey", "9")
                        .child("CollectionId", "f2")))
                .child("Wait", 10).child("Partial", "1").build());
        assertThat(partial.partial()).isTrue();
        SyncRequest merged = SyncRequestParser.merge(cached, partial);
        assertThat(merged.collections()).extracting(CollectionRequest::collectionId).containsExactly("f1", "f2");
        assertThat(merged.collections().get(1).syncKey()).isEqualTo("9");
        assertThat(merged.waitMinutes()).isEqualTo(10);
        assertThat(merged.heartbeatSeconds()).isNull();
    }
}
