package dev.easgate.core.command.ping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PingValidationTest {
    private final HeartbeatBounds bounds = new HeartbeatBounds(Duration.ofSeconds(60), Duration.ofSeconds(3540));

    @Test
    void boundsAnswerTheNearestLimit() {
        assertThat(bounds.checkSeconds(59)).isEqualTo(new HeartbeatBounds.Verdict(false, Duration.ofSeconds(60)));
        assertThat(bounds.checkSeconds(3541)).isEqualTo(new HeartbeatBounds.Verdict(false, Duration.ofSeconds(3540)));
        assertThat(bounds.checkSeconds(60).accepted()).isTrue();
        assertThat(bounds.checkSeconds(3540).accepted()).isTrue();
        assertThat(bounds.checkMinutes(60).limit()).isEqualTo(Duration.ofSeconds(3540));
        assertThat(bounds.checkMinutes(1).accepted()).isTrue();
        assertThatThrownBy(() -> new HeartbeatBounds(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesAFullPing() throws Exception {
        PingRequest ping = PingRequest.parse(WbxmlElement.el(CodePage.PING, "Ping")
                .child("HeartbeatInterval", "480")
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", "f1").child("Class", "Email"))
                        .child("Folder", x -> x.child("Id", "f7").child("Class", "Calendar")))
                .build());
        assertThat(ping.heartbeatSeconds()).isEqualTo(480L);
        assertThat(ping.folderIds()).containsExactly("f1", "f7");
        assertThat(ping.complete()).isTrue();
        assertThat(PingRequest.decode(ping.encode())).isEqualTo(ping);
    }

    @Test
    void omittedPartsComeFromTheLastPing() throws Exception {
        PingRequest last = new PingRequest(300L, List.of(new PingRequest.Folder("f1", "Email")));
        assertThat(PingRequest.parse(null).orElse(last)).isEqualTo(last);
        assertThat(PingRequest.parse(null).orElse(null).complete()).isFalse();
        PingRequest onlyHeartbeat = PingRequest.parse(WbxmlElement.el(CodePage.PING, "Ping")
                .child("HeartbeatInterval", "900").build());
        assertThat(onlyHeartbeat.orElse(last)).isEqualTo(new PingRequest(900L, last.folders()));
    }

    @Test
    void malformedPingsAreRefused() {
        assertThatThrownBy(() -> PingRequest.parse(WbxmlElement.el(CodePage.PING, "Ping")
                .child("HeartbeatInterval", "soon").build()))
                .isInstanceOf(PingRequest.MalformedPingException.class);
        assertThatThrownBy(() -> PingRequest.parse(WbxmlElement.el(CodePage.PING, "Ping")
                .child("Folders", f -> f.child("Folder", x -> x.child("Class", "Email"))).build()))
                .hasMessageContaining("Id");
        assertThatThrownBy(() -> PingRequest.parse(WbxmlElement.el(CodePage.PING, "Ping")
                .child("Folders", f -> f.empty("Folder")).build()))
                .isInstanceOf(PingRequest.MalformedPingException.class);
        assertThatThrownBy(() -> PingRequest.parse(WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderSync").build()))
                .hasMessageContaining("root");
    }
}
