package dev.easgate.core.command.sync;

import static dev.easgate.core.command.sync.OwnWritesDriver.assertNothingFor;
import static dev.easgate.core.command.sync.OwnWritesDriver.awaitParked;
import static dev.easgate.core.command.sync.OwnWritesDriver.folder;
import static dev.easgate.core.command.sync.OwnWritesDriver.pingRequest;
import static dev.easgate.core.command.sync.OwnWritesDriver.syncToEnd;
import static dev.easgate.core.command.sync.OwnWritesDriver.write;
import static dev.easgate.core.command.sync.OwnWritesDriver.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.command.sync.OwnWritesDriver.Synced;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ping and Sync agree on a contacts folder, whatever the store: a contact the device added, changed or deleted
 * itself never makes its next Ping answer Status 2, GetItemEstimate count it, or its next Sync send it back; a
 * contact added by another device of the same user always wakes it.
 */
public interface PimOwnWritesContract {

    GatewayTestServer server();

    /** A fresh user with a folder named Contacts. */
    TestUser newPimUser();

    private static void addContact(WbxmlElement.Builder commands, String clientId, String lastName) {
        commands.child("Add", a -> a.child("ClientId", clientId).child("ApplicationData", d -> d
                .child("Contacts:FileAs", lastName + ", Ada").child("Contacts:FirstName", "Ada")
                .child("Contacts:LastName", lastName)));
    }

    /** Adds a contact with GetChanges 0; returns its server id and the new key. */
    private static String[] added(EasTestClient device, String key, String contacts, String lastName) {
        WbxmlElement collection = written(device, key, contacts, false, c -> addContact(c, "c-" + lastName,
                lastName));
        String serverId = collection.child("Responses").child("Add").childText("ServerId");
        assertThat(serverId).isNotBlank();
        return new String[] {serverId, collection.childText("SyncKey")};
    }

    @Test
    default void aContactAddedWithGetChanges0IsNothingNewToTheWriter() {
        EasTestClient phone = OwnWritesDriver.device(server(), newPimUser(), "OWNADD");
        String contacts = folder(phone, "Contacts");
        Synced synced = syncToEnd(phone, contacts);
        String[] added = added(phone, synced.key(), contacts, "Lovelace");
        assertNothingFor(phone, added[1], contacts);
    }

    @Test
    default void aContactChangedByTheDeviceIsNothingNewToIt() {
        EasTestClient phone = OwnWritesDriver.device(server(), newPimUser(), "OWNCHANGE");
        String contacts = folder(phone, "Contacts");
        Synced synced = syncToEnd(phone, contacts);
        String[] added = added(phone, synced.key(), contacts, "Byron");
        String key = write(phone, added[1], contacts, true, c -> c.child("Change", ch -> ch
                .child("ServerId", added[0]).child("ApplicationData", d -> d
                        .child("Contacts:FileAs", "Byron, Ada").child("Contacts:FirstName", "Ada")
                        .child("Contacts:LastName", "Byron").child("Contacts:JobTitle", "Analyst"))));
        assertNothingFor(phone, key, contacts);
    }

    @Test
    default void aContactDeletedByTheDeviceIsNothingNewToIt() {
        EasTestClient phone = OwnWritesDriver.device(server(), newPimUser(), "OWNDEL");
        String contacts = folder(phone, "Contacts");
        Synced synced = syncToEnd(phone, contacts);
        String[] added = added(phone, synced.key(), contacts, "King");
        String key = write(phone, added[1], contacts, false,
                c -> c.child("Delete", d -> d.child("ServerId", added[0])));
        assertNothingFor(phone, key, contacts);
    }

    @Test
    default void aContactAddedByAnotherDeviceWakesAParkedPing() throws Exception {
        TestUser user = newPimUser();
        EasTestClient phone = OwnWritesDriver.device(server(), user, "OWNPIMA");
        EasTestClient tablet = OwnWritesDriver.device(server(), user, "OWNPIMB");
        String contacts = folder(phone, "Contacts");
        folder(tablet, "Contacts");
        syncToEnd(phone, contacts);
        Synced tabletView = syncToEnd(tablet, contacts);

        CompletableFuture<EasTestClient.Response> ping = CompletableFuture.supplyAsync(
                () -> phone.post("Ping", pingRequest(60, contacts)));
        awaitParked(server());
        added(tablet, tabletView.key(), contacts, "Somerville");
        EasTestClient.Response woken = ping.get(30, TimeUnit.SECONDS);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(contacts);
    }
}
