package dev.easgate.backends.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What every {@link StateStore} does, written once: an implementation's test class implements this interface and
 * supplies the store. Each test works with devices of a user of its own.
 */
public interface StateStoreContract {

    StateStore stateStore();

    /** A device of a user nobody else touches. */
    default DeviceKey newDevice() {
        return new DeviceKey("contract-" + UUID.randomUUID(), "DEVICE1");
    }

    // ---- devices ------------------------------------------------------------------------------------------------

    @Test
    default void aStoredDeviceIsReadBack() {
        DeviceKey key = newDevice();
        DeviceRecord device = record(key).withPolicyKeys(1234, 0).withInformation("Pixel", "Android 15", "Phone");

        stateStore().putDevice(device).block();

        StepVerifier.create(stateStore().device(key)).expectNext(device).verifyComplete();
    }

    @Test
    default void anUnknownDeviceIsEmpty() {
        StepVerifier.create(stateStore().device(newDevice())).verifyComplete();
    }

    @Test
    default void putDeviceReplacesTheRecord() {
        DeviceKey key = newDevice();
        stateStore().putDevice(record(key)).block();
        DeviceRecord wiped = record(key).withWipe(DeviceRecord.WipeState.WIPE_REQUESTED);

        stateStore().putDevice(wiped).block();

        assertThat(stateStore().device(key).block()).isEqualTo(wiped);
    }

    @Test
    default void devicesListsEveryDeviceOfTheUserOnly() {
        DeviceKey phone = newDevice();
        DeviceKey tablet = new DeviceKey(phone.user(), "TABLET");
        DeviceKey someoneElses = newDevice();
        stateStore().putDevice(record(phone)).block();
        stateStore().putDevice(record(tablet)).block();
        stateStore().putDevice(record(someoneElses)).block();

        assertThat(stateStore().devices(phone.user()).map(DeviceRecord::key).collectList().block())
                .containsExactlyInAnyOrder(phone, tablet);
        StepVerifier.create(stateStore().devices("contract-nobody-" + UUID.randomUUID())).verifyComplete();
    }

    @Test
    default void removeDeviceForgetsTheDeviceAndAllItsState() {
        DeviceKey key = newDevice();
        DeviceKey other = new DeviceKey(key.user(), "OTHER");
        for (DeviceKey device : List.of(key, other)) {
            stateStore().putDevice(record(device)).block();
            stateStore().replaceHierarchy(device, null, hierarchy("1")).block();
            stateStore().replaceCollection(device, "f1", null, collection("1", 0)).block();
            stateStore().putValue(device, "lastPing", utf8("ping")).block();
        }

        stateStore().removeDevice(key).block();

        StepVerifier.create(stateStore().device(key)).verifyComplete();
        StepVerifier.create(stateStore().hierarchy(key)).verifyComplete();
        StepVerifier.create(stateStore().collection(key, "f1")).verifyComplete();
        StepVerifier.create(stateStore().value(key, "lastPing")).verifyComplete();
        assertThat(stateStore().devices(key.user()).map(DeviceRecord::key).collectList().block())
                .containsExactly(other);
        assertThat(stateStore().collection(other, "f1").block()).isNotNull();
    }

    // ---- hierarchy ----------------------------------------------------------------------------------------------

    @Test
    default void hierarchyIsStoredUnconditionallyWithoutAnExpectedKey() {
        DeviceKey key = newDevice();

        assertThat(stateStore().replaceHierarchy(key, null, hierarchy("1")).block()).isTrue();
        assertThat(stateStore().replaceHierarchy(key, null, hierarchy("5")).block()).isTrue();

        HierarchyState stored = stateStore().hierarchy(key).block();
        assertThat(stored.syncKey()).isEqualTo("5");
        assertThat(stored.folders()).isEqualTo(hierarchy("5").folders());
        assertThat(stored.previousResponse()).isEqualTo(hierarchy("5").previousResponse());
    }

    @Test
    default void hierarchyIsReplacedOnlyFromTheExpectedKey() {
        DeviceKey key = newDevice();
        assertThat(stateStore().replaceHierarchy(key, "1", hierarchy("2")).block()).isFalse(); // nothing stored
        stateStore().replaceHierarchy(key, null, hierarchy("1")).block();

        assertThat(stateStore().replaceHierarchy(key, "7", hierarchy("8")).block()).isFalse();
        assertThat(stateStore().hierarchy(key).block().syncKey()).isEqualTo("1");
        assertThat(stateStore().replaceHierarchy(key, "1", hierarchy("2")).block()).isTrue();
        assertThat(stateStore().hierarchy(key).block().syncKey()).isEqualTo("2");
    }

    @Test
    default void onlyOneOfRacingHierarchyReplacementsWins() throws Exception {
        DeviceKey key = newDevice();
        stateStore().replaceHierarchy(key, null, hierarchy("1")).block();

        List<Boolean> results = race(8, racer -> stateStore().replaceHierarchy(key, "1",
                new HierarchyState("2", List.of(), "1", new byte[] {(byte) racer})));

        assertThat(results).containsOnlyOnce(true);
        HierarchyState stored = stateStore().hierarchy(key).block();
        assertThat(stored.syncKey()).isEqualTo("2");
        assertThat(stored.previousResponse()).containsExactly((byte) results.indexOf(true));
    }

    // ---- collections --------------------------------------------------------------------------------------------

    @Test
    default void collectionStateIsReadBackWhole() {
        DeviceKey key = newDevice();
        CollectionState state = new CollectionState("3", 42, Map.of("f1:1", 7L, "f1:2", 9L), "2",
                utf8("<Collection/>"), utf8("<Options/>"));

        stateStore().replaceCollection(key, "f1", null, state).block();

        CollectionState stored = stateStore().collection(key, "f1").block();
        assertThat(stored.syncKey()).isEqualTo("3");
        assertThat(stored.watermark()).isEqualTo(42);
        assertThat(stored.known()).isEqualTo(state.known());
        assertThat(stored.previousKey()).isEqualTo("2");
        assertThat(stored.previousResponse()).isEqualTo(state.previousResponse());
        assertThat(stored.options()).isEqualTo(state.options());
        StepVerifier.create(stateStore().collection(key, "f2")).verifyComplete();
    }

    /** A claim (who applies a request's commands) is kept, and its key is compared like any other. */
    @Test
    default void aClaimIsReadBackAndReplacedOnlyFromItsOwnKey() {
        DeviceKey key = newDevice();
        stateStore().replaceCollection(key, "f1", null, collection("1", 0)).block();
        CollectionState.Claim claim = new CollectionState.Claim("instance-a", Instant.parse("2026-12-07T06:00:00Z"),
                "claim-1");
        CollectionState claimed = new CollectionState("2/aaaa", 0, Map.of("f1:1", 1L), "1", new byte[0],
                new byte[0], claim);
        assertThat(stateStore().replaceCollection(key, "f1", "1", claimed).block()).isTrue();
        assertThat(stateStore().collection(key, "f1").block().claim()).isEqualTo(claim);

        CollectionState.Claim taken = new CollectionState.Claim("instance-b", claim.since().plusSeconds(60),
                claim.id());
        CollectionState takenOver = new CollectionState("2/bbbb", 0, Map.of("f1:1", 1L), "1", new byte[0],
                new byte[0], taken);
        assertThat(stateStore().replaceCollection(key, "f1", "2/aaaa", takenOver).block()).isTrue();
        // the first holder, late, cannot store its answer over the claim that was taken from it
        assertThat(stateStore().replaceCollection(key, "f1", "2/aaaa", collection("2", 5)).block()).isFalse();
        assertThat(stateStore().collection(key, "f1").block().claim()).isEqualTo(taken);
        assertThat(stateStore().replaceCollection(key, "f1", "2/bbbb", collection("2", 5)).block()).isTrue();
        assertThat(stateStore().collection(key, "f1").block().claim()).isNull();
    }

    @Test
    default void collectionIsReplacedOnlyFromTheExpectedKey() {
        DeviceKey key = newDevice();
        assertThat(stateStore().replaceCollection(key, "f1", "1", collection("2", 1)).block()).isFalse();
        assertThat(stateStore().replaceCollection(key, "f1", null, collection("1", 1)).block()).isTrue();

        assertThat(stateStore().replaceCollection(key, "f1", "9", collection("10", 2)).block()).isFalse();
        assertThat(stateStore().collection(key, "f1").block().syncKey()).isEqualTo("1");
        assertThat(stateStore().replaceCollection(key, "f1", "1", collection("2", 3)).block()).isTrue();
        assertThat(stateStore().collection(key, "f1").block().watermark()).isEqualTo(3);
        // a Sync with key 0 starts afresh whatever was there
        assertThat(stateStore().replaceCollection(key, "f1", null, collection("1", 0)).block()).isTrue();
        assertThat(stateStore().collection(key, "f1").block().syncKey()).isEqualTo("1");
    }

    @Test
    default void collectionsOfADeviceAreIndependent() {
        DeviceKey key = newDevice();
        stateStore().replaceCollection(key, "f1", null, collection("1", 1)).block();
        stateStore().replaceCollection(key, "f2", null, collection("5", 5)).block();

        assertThat(stateStore().replaceCollection(key, "f2", "1", collection("2", 2)).block()).isFalse();
        assertThat(stateStore().collection(key, "f1").block().syncKey()).isEqualTo("1");
        assertThat(stateStore().collection(key, "f2").block().syncKey()).isEqualTo("5");
    }

    @Test
    default void onlyOneOfRacingCollectionReplacementsWins() throws Exception {
        DeviceKey key = newDevice();
        stateStore().replaceCollection(key, "f1", null, collection("1", 0)).block();

        List<Boolean> results = race(8, racer -> stateStore().replaceCollection(key, "f1", "1",
                collection("2", racer)));

        assertThat(results).containsOnlyOnce(true);
        CollectionState stored = stateStore().collection(key, "f1").block();
        assertThat(stored.syncKey()).isEqualTo("2");
        assertThat(stored.watermark()).isEqualTo(results.indexOf(true));
    }

    @Test
    default void removeCollectionForgetsOneCollection() {
        DeviceKey key = newDevice();
        stateStore().replaceCollection(key, "f1", null, collection("1", 1)).block();
        stateStore().replaceCollection(key, "f2", null, collection("1", 1)).block();

        stateStore().removeCollection(key, "f1").block();

        StepVerifier.create(stateStore().collection(key, "f1")).verifyComplete();
        assertThat(stateStore().collection(key, "f2").block()).isNotNull();
    }

    @Test
    default void resetSyncStateForgetsHierarchyAndCollectionsButKeepsTheDevice() {
        DeviceKey key = newDevice();
        DeviceRecord device = record(key);
        stateStore().putDevice(device).block();
        stateStore().replaceHierarchy(key, null, hierarchy("3")).block();
        stateStore().replaceCollection(key, "f1", null, collection("4", 1)).block();
        stateStore().replaceCollection(key, "f2", null, collection("5", 1)).block();

        stateStore().resetSyncState(key).block();

        StepVerifier.create(stateStore().hierarchy(key)).verifyComplete();
        StepVerifier.create(stateStore().collection(key, "f1")).verifyComplete();
        StepVerifier.create(stateStore().collection(key, "f2")).verifyComplete();
        assertThat(stateStore().device(key).block()).isEqualTo(device);
        // afterwards the device starts over from key 0
        assertThat(stateStore().replaceCollection(key, "f1", "4", collection("5", 2)).block()).isFalse();
        assertThat(stateStore().replaceCollection(key, "f1", null, collection("1", 0)).block()).isTrue();
    }

    // ---- values -------------------------------------------------------------------------------------------------

    @Test
    default void valuesAreStoredByName() {
        DeviceKey key = newDevice();
        stateStore().putValue(key, "lastSync", utf8("sync")).block();
        stateStore().putValue(key, "lastPing", utf8("ping")).block();
        stateStore().putValue(key, "lastPing", utf8("ping 2")).block();

        assertThat(stateStore().value(key, "lastSync").block()).isEqualTo(utf8("sync"));
        assertThat(stateStore().value(key, "lastPing").block()).isEqualTo(utf8("ping 2"));
        StepVerifier.create(stateStore().value(key, "absent")).verifyComplete();
        StepVerifier.create(stateStore().value(newDevice(), "lastSync")).verifyComplete();
    }

    @Test
    default void aStoredValueDoesNotChangeWithTheCallersArray() {
        DeviceKey key = newDevice();
        byte[] value = utf8("original");
        stateStore().putValue(key, "v", value).block();

        value[0] = 'X';
        stateStore().value(key, "v").block()[1] = 'X';

        assertThat(stateStore().value(key, "v").block()).isEqualTo(utf8("original"));
    }

    @Test
    default void removeValueForgetsOneValue() {
        DeviceKey key = newDevice();
        stateStore().putValue(key, "kept", utf8("a")).block();
        stateStore().putValue(key, "gone", utf8("b")).block();

        stateStore().removeValue(key, "gone").block();
        stateStore().removeValue(key, "absent").block();
        stateStore().removeValue(newDevice(), "gone").block();

        StepVerifier.create(stateStore().value(key, "gone")).verifyComplete();
        assertThat(stateStore().value(key, "kept").block()).isEqualTo(utf8("a"));
    }

    // ---- user values --------------------------------------------------------------------------------------------

    @Test
    default void userValuesAreStoredByUserAndName() {
        String user = newDevice().user();
        String other = newDevice().user();
        stateStore().putUserValue(user, "policy", utf8("strict")).block();
        stateStore().putUserValue(user, "policy", utf8("byod")).block();
        stateStore().putUserValue(user, "other", utf8("x")).block();

        assertThat(stateStore().userValue(user, "policy").block()).isEqualTo(utf8("byod"));
        assertThat(stateStore().userValue(user, "other").block()).isEqualTo(utf8("x"));
        StepVerifier.create(stateStore().userValue(other, "policy")).verifyComplete();
        StepVerifier.create(stateStore().userValue(user, "absent")).verifyComplete();
    }

    @Test
    default void aUserValueIsNeitherADeviceNorRemovedWithOne() {
        DeviceKey key = newDevice();
        stateStore().putDevice(record(key)).block();
        stateStore().putUserValue(key.user(), "policy", utf8("strict")).block();

        assertThat(stateStore().devices(key.user()).collectList().block()).hasSize(1);
        stateStore().removeDevice(key).block();

        assertThat(stateStore().devices(key.user()).collectList().block()).isEmpty();
        assertThat(stateStore().userValue(key.user(), "policy").block()).isEqualTo(utf8("strict"));
        StepVerifier.create(stateStore().value(key, "policy")).verifyComplete();
    }

    @Test
    default void removeUserValueForgetsOneValue() {
        String user = newDevice().user();
        byte[] value = utf8("strict");
        stateStore().putUserValue(user, "policy", value).block();
        value[0] = 'X';
        stateStore().putUserValue(user, "kept", utf8("k")).block();
        assertThat(stateStore().userValue(user, "policy").block()).isEqualTo(utf8("strict"));

        stateStore().removeUserValue(user, "policy").block();
        stateStore().removeUserValue(user, "absent").block();

        StepVerifier.create(stateStore().userValue(user, "policy")).verifyComplete();
        assertThat(stateStore().userValue(user, "kept").block()).isEqualTo(utf8("k"));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static DeviceRecord record(DeviceKey key) {
        return DeviceRecord.first(key, "SmartPhone", "Contract/1.0", "16.1", Instant.parse("2025-06-02T10:00:00Z"));
    }

    static HierarchyState hierarchy(String syncKey) {
        return new HierarchyState(syncKey, List.of(new Folder("f1", Folder.ROOT, "Inbox", FolderType.INBOX)),
                "0", utf8("<FolderSync " + syncKey + "/>"));
    }

    static CollectionState collection(String syncKey, long watermark) {
        return new CollectionState(syncKey, watermark, Map.of(), "0", utf8("<Collection/>"), new byte[0]);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code racers} operations at once from as many threads; their results in racer order. */
    static List<Boolean> race(int racers, IntFunction<Mono<Boolean>> operation) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                int racer = i;
                Callable<Boolean> task = () -> {
                    start.await();
                    return operation.apply(racer).block();
                };
                futures.add(threads.submit(task));
            }
            start.countDown();
            List<Boolean> results = new ArrayList<>();
            for (Future<Boolean> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }
}
