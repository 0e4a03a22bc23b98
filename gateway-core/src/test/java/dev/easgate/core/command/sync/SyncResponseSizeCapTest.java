package dev.easgate.core.command.sync;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * sync.max-response-bytes: a folder whose items are far larger than the cap syncs completely over several
 * requests, each response within the cap (a single larger item alone), nothing lost or sent twice, and a
 * repeated request still gets its stored answer.
 */
class SyncResponseSizeCapTest {
    private static final int CAP = 20_000;

    @Test
    void aFolderLargerThanTheCapSyncsCompletelyOverSeveralResponses() {
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("sync.max-response-bytes",
                Integer.toString(CAP)))) {
            EasTestClient phone = server.client("alice", "cap-phone");
            assertThat(phone.provision().status()).isEqualTo(200);
            WbxmlElement folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                    .child("SyncKey", "0").build()).body();
            String inbox = null;
            for (WbxmlElement add : folders.child("Changes").children("Add")) {
                if ("2".equals(add.childText("Type"))) {
                    inbox = add.childText("ServerId");
                }
            }
            // twelve messages of ~7 KB and one of ~45 KB (larger than the cap on its own)
            Random random = new Random(7);
            for (int i = 0; i < 13; i++) {
                int size = i == 5 ? 45_000 : 7_000;
                String mime = "To: alice@example.com\r\nSubject: big " + i + "\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + text(random, size) + "\r\n";
                assertThat(phone.post("SendMail", el(CodePage.COMPOSE_MAIL, "SendMail").child("ClientId", "c-" + i)
                        .opaque("Mime", mime.getBytes(StandardCharsets.UTF_8)).build()).status())
                        .isEqualTo(200);
            }
            int total = server.gateway().services().mailStore().changesSince("alice", inbox, 0)
                    .block(Duration.ofSeconds(5)).changed().size();
            assertThat(total).isGreaterThanOrEqualTo(13);

            String key = phone.post("Sync", sync("0", inbox)).body().child("Collections").child("Collection")
                    .childText("SyncKey");
            List<String> received = new ArrayList<>();
            int responses = 0;
            boolean replayed = false;
            for (int round = 0; round < 100; round++) {
                EasTestClient.Response response = phone.post("Sync", sync(key, inbox));
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).as("a response while items are pending").isNotNull();
                if (!replayed && responses == 2) {
                    // the client repeats a request (lost answer): the same bytes, nothing applied twice
                    EasTestClient.Response again = phone.post("Sync", sync(key, inbox));
                    assertThat(again.bytes()).isEqualTo(response.bytes());
                    replayed = true;
                }
                responses++;
                WbxmlElement collection = response.body().child("Collections").child("Collection");
                assertThat(collection.childText("Status")).isEqualTo("1");
                key = collection.childText("SyncKey");
                List<WbxmlElement> adds = collection.child("Commands") == null ? List.of()
                        : collection.child("Commands").children("Add");
                adds.forEach(add -> received.add(add.childText("ServerId")));
                if (adds.size() > 1) {
                    assertThat(response.bytes().length).as("a response of several items").isLessThanOrEqualTo(CAP);
                }
                if (collection.child("MoreAvailable") == null) {
                    break;
                }
                assertThat(adds.size()).as("progress").isGreaterThanOrEqualTo(0);
            }
            assertThat(responses).as("the cap split the folder").isGreaterThanOrEqualTo(6);
            assertThat(received).as("no item twice").doesNotHaveDuplicates();
            assertThat(received).as("every item").hasSize(total);
            Set<String> expected = new HashSet<>();
            server.gateway().services().mailStore().changesSince("alice", inbox, 0).block(Duration.ofSeconds(5))
                    .changed().forEach(v -> expected.add(v.id()));
            assertThat(new HashSet<>(received)).isEqualTo(expected);
            // and then nothing is left: the empty response
            EasTestClient.Response done = phone.post("Sync", sync(key, inbox));
            assertThat(done.body()).isNull();
        }
    }

    private static String text(Random random, int size) {
        StringBuilder out = new StringBuilder(size);
        while (out.length() < size) {
            out.append(Long.toString(random.nextLong(), 36)).append(out.length() % 70 < 12 ? "\r\n" : " ");
        }
        return out.toString();
    }

    private static WbxmlElement sync(String key, String folderId) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", folderId);
            if (!key.equals("0")) {
                c.child("GetChanges", "1").child("WindowSize", 100).child("Options", o -> o
                        .child("AirSyncBase:BodyPreference", b -> b.child("AirSyncBase:Type", 1)
                                .child("AirSyncBase:TruncationSize", 200_000)));
            }
        })).build();
    }
}
