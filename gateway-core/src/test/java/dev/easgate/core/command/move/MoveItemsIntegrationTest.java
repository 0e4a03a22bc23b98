package dev.easgate.core.command.move;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MoveItemsIntegrationTest {
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static MailStore store() {
        return server.gateway().services().mailStore();
    }

    private static Folder folder(String user, String name) {
        return store().folders(user).filter(f -> f.name().equals(name)).blockFirst();
    }

    private static List<String> ids(String user, Folder folder) {
        return store().changesSince(user, folder.id(), 0).block().changed().stream().map(ItemVersion::id).toList();
    }

    @Test
    void movesInboxItemsToArchiveAndAnswersEachMoveOnItsOwn() {
        EasTestClient client = server.client("demo", "move-1");
        assertThat(client.provision().status()).isEqualTo(200);
        Folder inbox = folder("demo", "Inbox");
        Folder archive = folder("demo", "Archive");
        Folder calendar = store().folders("demo").filter(f -> f.type() == FolderType.CALENDAR).blockFirst();
        List<String> inboxIds = ids("demo", inbox);
        String first = inboxIds.get(0);
        String second = inboxIds.get(1);

        EasTestClient.Response response = client.post("MoveItems", WbxmlElement.el(CodePage.MOVE, "MoveItems")
                .child("Move", m -> m.child("SrcMsgId", first).child("SrcFldId", inbox.id())
                        .child("DstFldId", archive.id()))
                .child("Move", m -> m.child("SrcMsgId", "no-such-item").child("SrcFldId", inbox.id())
                        .child("DstFldId", archive.id()))
                .child("Move", m -> m.child("SrcMsgId", second).child("SrcFldId", "no-such-folder")
                        .child("DstFldId", archive.id()))
                .child("Move", m -> m.child("SrcMsgId", second).child("SrcFldId", inbox.id())
                        .child("DstFldId", "no-such-folder"))
                .child("Move", m -> m.child("SrcMsgId", second).child("SrcFldId", inbox.id())
                        .child("DstFldId", inbox.id()))
                .child("Move", m -> m.child("SrcMsgId", second).child("SrcFldId", inbox.id())
                        .child("DstFldId", calendar.id()))
                .build());

        assertThat(response.status()).isEqualTo(200);
        List<WbxmlElement> results = response.body().children("Response");
        assertThat(results).extracting(r -> r.childText("Status")).containsExactly("3", "1", "1", "2", "4", "5");
        assertThat(results.get(0).childText("SrcMsgId")).isEqualTo(first);
        String moved = results.get(0).childText("DstMsgId");
        assertThat(moved).isNotBlank();
        assertThat(results.get(1).child("DstMsgId")).isNull();
        assertThat(ids("demo", archive)).contains(moved);
        assertThat(ids("demo", inbox)).doesNotContain(first).contains(second);
    }

    @Test
    void aBodyThatIsNotMoveItemsGetsATopLevelStatus() {
        EasTestClient client = server.client("bob", "move-2");
        client.provision();

        EasTestClient.Response response = client.post("MoveItems",
                WbxmlElement.el(CodePage.MOVE, "Move").child("SrcMsgId", "x").build());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("Status")).isEqualTo("103");
    }
}
