package dev.easgate.core.command.sync;

import static dev.easgate.core.command.sync.OwnWritesDriver.assertNothingFor;
import static dev.easgate.core.command.sync.OwnWritesDriver.awaitParked;
import static dev.easgate.core.command.sync.OwnWritesDriver.folder;
import static dev.easgate.core.command.sync.OwnWritesDriver.pingRequest;
import static dev.easgate.core.command.sync.OwnWritesDriver.syncToEnd;
import static dev.easgate.core.command.sync.OwnWritesDriver.write;
import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.command.sync.OwnWritesDriver.Synced;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ping and Sync agree on a mail folder, whatever the store: what a device wrote itself (a flag with or without
 * GetChanges, a delete, a MoveItems) never makes its next Ping answer Status 2, GetItemEstimate count it, or its next
 * Sync send it back; a change by another device of the same user always wakes it. Each store's test supplies a
 * running gateway and fresh users.
 */
public interface MailOwnWritesContract {

    GatewayTestServer server();

    /** A fresh user whose Inbox holds at least three messages and who has a mail folder named Junk. */
    TestUser newMailUser();

    private EasTestClient device(TestUser user, String deviceId) {
        return OwnWritesDriver.device(server(), user, deviceId);
    }

    private static void markRead(WbxmlElement.Builder commands, String serverId) {
        commands.child("Change", c -> c.child("ServerId", serverId)
                .child("ApplicationData", d -> d.child("Email:Read", "1")));
    }

    @Test
    default void aFlagWrittenWithGetChanges0IsNothingNewToTheWriter() {
        EasTestClient phone = device(newMailUser(), "OWNFLAG0");
        String inbox = folder(phone, "Inbox");
        Synced synced = syncToEnd(phone, inbox);
        assertThat(synced.ids()).hasSizeGreaterThanOrEqualTo(3);
        String key = write(phone, synced.key(), inbox, false, c -> markRead(c, synced.ids().get(0)));
        assertNothingFor(phone, key, inbox);
    }

    @Test
    default void aFlagWrittenWithGetChanges1IsNothingNewToTheWriter() {
        EasTestClient phone = device(newMailUser(), "OWNFLAG1");
        String inbox = folder(phone, "Inbox");
        Synced synced = syncToEnd(phone, inbox);
        String key = write(phone, synced.key(), inbox, true, c -> markRead(c, synced.ids().get(1)));
        assertNothingFor(phone, key, inbox);
    }

    @Test
    default void aDeleteIsNothingNewToTheWriter() {
        EasTestClient phone = device(newMailUser(), "OWNDELETE");
        String inbox = folder(phone, "Inbox");
        Synced synced = syncToEnd(phone, inbox);
        String key = write(phone, synced.key(), inbox, false,
                c -> c.child("Delete", d -> d.child("ServerId", synced.ids().get(0))));
        assertNothingFor(phone, key, inbox);
    }

    @Test
    default void itemsMovedByTheDeviceAreNothingNewInEitherFolder() {
        EasTestClient phone = device(newMailUser(), "OWNMOVE");
        String inbox = folder(phone, "Inbox");
        String junk = folder(phone, "Junk");
        Synced inboxSynced = syncToEnd(phone, inbox);
        Synced junkSynced = syncToEnd(phone, junk);
        EasTestClient.Response moved = phone.post("MoveItems", el(CodePage.MOVE, "MoveItems")
                .child("Move", m -> m.child("SrcMsgId", inboxSynced.ids().get(0)).child("SrcFldId", inbox)
                        .child("DstFldId", junk)).build());
        assertThat(moved.body().child("Response").childText("Status")).isEqualTo("3"); // success
        assertNothingFor(phone, inboxSynced.key(), inbox);
        assertNothingFor(phone, junkSynced.key(), junk);
    }

    @Test
    default void aChangeByAnotherDeviceWakesAParkedPing() throws Exception {
        TestUser user = newMailUser();
        EasTestClient phone = device(user, "OWNWAKEA");
        EasTestClient tablet = device(user, "OWNWAKEB");
        String inbox = folder(phone, "Inbox");
        folder(tablet, "Inbox");
        syncToEnd(phone, inbox);
        Synced tabletView = syncToEnd(tablet, inbox);

        CompletableFuture<EasTestClient.Response> ping = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", pingRequest(60, inbox)));
        awaitParked(server());
        write(tablet, tabletView.key(), inbox, false, c -> markRead(c, tabletView.ids().get(2)));
        EasTestClient.Response woken = ping.get(30, TimeUnit.SECONDS);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(inbox);
    }
}
