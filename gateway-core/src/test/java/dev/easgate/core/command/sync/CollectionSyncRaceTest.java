package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.memory.MemoryMailStore;
import dev.easgate.backends.memory.MemoryStateStore;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The loser of a sync-key race waits for the winner's answer and replays it (virtual time: no sleeping). */
class CollectionSyncRaceTest {
    static final DeviceKey DEVICE = new DeviceKey("u", "d");

    private final MemoryMailStore mail = new MemoryMailStore(Clock.systemUTC());
    private final MemoryStateStore state = new MemoryStateStore();
    private final SyncClaims claims = SyncClaims.forNode(false);

    private CollectionSync sync(Folder folder) {
        Map<String, Folder> folders = mail.folders("u").collectList().block().stream()
                .collect(Collectors.toMap(Folder::id, Function.identity()));
        return new CollectionSync(new SyncContext(mail, state, "u", DEVICE, ProtocolVersion.V14_1, folders,
                Instant.now(), claims));
    }

    private Folder contacts() {
        return mail.folders("u").filter(f -> f.name().equals("Contacts")).blockFirst();
    }

    private static CollectionRequest request(String key, String collectionId) {
        return new CollectionRequest(key, collectionId, null, null, null, null, List.of(), null, List.of());
    }

    @Test
    void loserReplaysTheWinnersAnswerOnceItIsStored() {
        Folder folder = contacts();
        // the winner (this node) has claimed key 3 from key 2 and is still working
        CollectionState claim = claims.claim(new CollectionState("2", 0, Map.of(), "1", new byte[] {1},
                new byte[0]), "3", new byte[0]);
        state.replaceCollection(DEVICE, folder.id(), null, claim).block();
        WbxmlElement answer = WbxmlElement.el(CodePage.AIR_SYNC, "Collection").child("SyncKey", "3")
                .child("CollectionId", folder.id()).child("Status", 1).build();
        StepVerifier.withVirtualTime(() -> sync(folder).sync(request("2", folder.id()), 10))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(CollectionSync.POLL_MILLIS * 3L))
                .then(() -> state.replaceCollection(DEVICE, folder.id(), claim.syncKey(), new CollectionState("3",
                        0, Map.of(),
                        "2", WbxmlEncoder.encode(answer), new byte[0])).block())
                .thenAwait(Duration.ofMillis(CollectionSync.POLL_MILLIS * 2L))
                .assertNext(outcome -> assertThat(outcome.element()).isEqualTo(answer))
                .verifyComplete();
    }

    /** MS-ASCMD 2.2.3.177.17: 16, retry later; never 3, which would make the device start over. */
    @Test
    void loserAsksForARetryWhenTheWinnerIsStillAtWorkAfterTheWait() {
        Folder folder = contacts();
        state.replaceCollection(DEVICE, folder.id(), null, claims.claim(new CollectionState("2", 0, Map.of(), "1",
                new byte[] {1}, new byte[0]), "3", new byte[0])).block();
        StepVerifier.withVirtualTime(() -> sync(folder).sync(request("2", folder.id()), 10))
                .expectSubscription()
                .thenAwait(Duration.ofMillis((long) CollectionSync.POLL_MILLIS * (CollectionSync.POLL_ATTEMPTS + 2)))
                .assertNext(outcome -> assertThat(outcome.element().childText("Status")).isEqualTo("16"))
                .verifyComplete();
    }
}
