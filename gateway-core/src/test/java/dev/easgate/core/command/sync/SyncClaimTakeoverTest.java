package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.memory.MemoryMailStore;
import dev.easgate.backends.memory.MemoryStateStore;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.content.ApplicationDataReader;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A claim left by a node run that died (after it applied an Add, before it stored the answer) is taken over by
 * the retry, which answers as the first attempt would have: same ServerId, nothing added twice, a Delete already
 * done is no failure.
 */
class SyncClaimTakeoverTest {
    private static final DeviceKey DEVICE = new DeviceKey("u", "d");
    private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");

    private final MemoryMailStore mail = new MemoryMailStore(Clock.systemUTC());
    private final MemoryStateStore state = new MemoryStateStore();

    private Folder contacts() {
        return mail.folders("u").filter(f -> f.name().equals("Contacts")).blockFirst();
    }

    private CollectionSync sync(SyncClaims claims) {
        Map<String, Folder> folders = mail.folders("u").collectList().block().stream()
                .collect(Collectors.toMap(Folder::id, Function.identity()));
        return new CollectionSync(new SyncContext(mail, state, "u", DEVICE, ProtocolVersion.V14_1, folders,
                Instant.now(), claims));
    }

    private static SyncClaims node(String instance, boolean shared, Instant now) {
        return new SyncClaims(instance, shared, Clock.fixed(now, ZoneOffset.UTC), SyncClaims.LEASE);
    }

    private static WbxmlElement contact(String name) {
        return WbxmlElement.el(CodePage.AIR_SYNC, "ApplicationData").child("Contacts:FileAs", name)
                .child("Contacts:LastName", name).build();
    }

    private static CollectionRequest request(String key, String collectionId, List<ClientCommand> commands) {
        return new CollectionRequest(key, collectionId, null, null, null, null, List.of(), null, commands);
    }

    /** Node run "dead" claimed key 3 from 2 and added the contact of ClientId c1, then was killed. */
    private CollectionState deadRunAdded(Folder folder, String serverIdHeld, Instant when, boolean shared) {
        CollectionState synced = new CollectionState("2", 0, serverIdHeld == null ? Map.of()
                : Map.of(serverIdHeld, 1L), "1", new byte[] {1}, new byte[0]);
        state.replaceCollection(DEVICE, folder.id(), null, synced).block();
        CollectionState claim = node("dead", shared, when).claim(synced, "3", new byte[0]);
        assertThat(state.replaceCollection(DEVICE, folder.id(), "2", claim).block()).isTrue();
        mail.addOnce("u", folder.id(), SyncClaims.writeId(DEVICE, folder.id(), claim, "c1"),
                ApplicationDataReader.newPim(ItemClass.CONTACTS, contact("Lovelace"))).block();
        return claim;
    }

    @Test
    void aRestartedNodeTakesOverTheDeadRunsClaimAndAnswersTheAddOnce() {
        Folder folder = contacts();
        deadRunAdded(folder, null, T0, false);
        String added = mail.changesSince("u", folder.id(), 0).block().changed().get(0).id();
        CollectionRequest retry = request("2", folder.id(), List.of(new ClientCommand.Add("c1",
                contact("Lovelace"))));

        WbxmlElement answer = sync(node("restarted", false, T0.plusSeconds(5))).sync(retry, 10).block().element();

        assertThat(answer.childText("Status")).isEqualTo("1");
        assertThat(answer.childText("SyncKey")).isEqualTo("3");
        WbxmlElement response = answer.child("Responses").child("Add");
        assertThat(response.childText("ClientId")).isEqualTo("c1");
        assertThat(response.childText("ServerId")).isEqualTo(added);
        assertThat(response.childText("Status")).isEqualTo("1");
        assertThat(answer.child("Commands")).as("the device's own Add is not echoed").isNull();
        assertThat(mail.changesSince("u", folder.id(), 0).block().changed()).hasSize(1);
        CollectionState stored = state.collection(DEVICE, folder.id()).block();
        assertThat(stored.syncKey()).isEqualTo("3");
        assertThat(stored.claim()).isNull();
        assertThat(stored.known()).containsKey(added);
    }

    @Test
    void aDeleteTheDeadRunAlreadyMadeIsNoFailureOnTheRetry() {
        Folder folder = contacts();
        String held = mail.add("u", folder.id(), ApplicationDataReader.newPim(ItemClass.CONTACTS,
                contact("Byron"))).block().id();
        deadRunAdded(folder, held, T0, false);
        mail.delete("u", folder.id(), held).block(); // the dead run's Delete reached the store

        WbxmlElement answer = sync(node("restarted", false, T0.plusSeconds(5)))
                .sync(request("2", folder.id(), List.of(new ClientCommand.Delete(held, null))), 10).block()
                .element();

        assertThat(answer.childText("Status")).isEqualTo("1");
        assertThat(answer.child("Responses")).as("a Delete that succeeded answers nothing").isNull();
        assertThat(state.collection(DEVICE, folder.id()).block().known()).doesNotContainKey(held);
    }

    @Test
    void withSharedStateAnotherNodesClaimIsTakenOverOnlyOnceItsLeaseIsOver() {
        Folder folder = contacts();
        deadRunAdded(folder, null, T0, true);
        CollectionRequest retry = request("2", folder.id(), List.of(new ClientCommand.Add("c1",
                contact("Lovelace"))));

        CollectionState early = state.collection(DEVICE, folder.id()).block();
        assertThat(node("other", true, T0.plusSeconds(30)).abandoned(early)).isFalse();
        assertThat(node("dead", true, T0.plus(SyncClaims.LEASE).plusSeconds(1)).abandoned(early))
                .as("even its own holder gives a claim up after the lease").isTrue();

        WbxmlElement answer = sync(node("other", true, T0.plus(SyncClaims.LEASE).plus(Duration.ofSeconds(1))))
                .sync(retry, 10).block().element();
        assertThat(answer.childText("Status")).isEqualTo("1");
        assertThat(answer.child("Responses").child("Add").childText("Status")).isEqualTo("1");
        assertThat(mail.changesSince("u", folder.id(), 0).block().changed()).hasSize(1);
    }

    @Test
    void aClaimOfTheReleaseBeforeClaimsHadHoldersIsTakenOver() {
        Folder folder = contacts();
        state.replaceCollection(DEVICE, folder.id(), null,
                new CollectionState("3", 0, Map.of(), "2", new byte[0], new byte[0])).block();

        WbxmlElement answer = sync(node("upgraded", true, T0))
                .sync(request("2", folder.id(), List.of(new ClientCommand.Add("c1", contact("Hopper")))), 10)
                .block().element();

        assertThat(answer.childText("Status")).isEqualTo("1");
        assertThat(answer.childText("SyncKey")).isEqualTo("3");
        assertThat(mail.changesSince("u", folder.id(), 0).block().changed()).hasSize(1);
    }

    @Test
    void theHolderWhoseClaimWasTakenOverReplaysTheAnswerOfTheNewHolder() {
        Folder folder = contacts();
        CollectionState claim = deadRunAdded(folder, null, T0, true);
        CollectionRequest retry = request("2", folder.id(), List.of(new ClientCommand.Add("c1",
                contact("Lovelace"))));
        WbxmlElement taker = sync(node("other", true, T0.plus(SyncClaims.LEASE).plusSeconds(1))).sync(retry, 10)
                .block().element();

        // the first holder, only slow, tries to store its answer from its own claim's key: fenced off
        assertThat(state.replaceCollection(DEVICE, folder.id(), claim.syncKey(),
                new CollectionState("3", 0, Map.of(), "2", new byte[] {9}, new byte[0])).block()).isFalse();
        WbxmlElement replay = sync(node("dead", true, T0.plusSeconds(1))).sync(retry, 10).block().element();
        assertThat(replay).isEqualTo(taker);
    }
}
