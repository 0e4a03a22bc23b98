package dev.easgate.backends.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateCodecTest {

    @Test
    void everyDeviceFieldRoundTrips() {
        for (DeviceRecord.WipeState wipe : DeviceRecord.WipeState.values()) {
            DeviceRecord device = new DeviceRecord(new DeviceKey("u\u00e9@x", "D:1"), "SmartPhone", "UA/1", "16.1",
                    "Model", "OS", "Friendly \u2603", 42, Long.MIN_VALUE, wipe,
                    Instant.parse("2025-01-01T00:00:00.000000001Z"), Instant.EPOCH.minusSeconds(5),
                    Instant.parse("2030-12-31T23:59:59Z"));
            assertThat(StateCodec.device(StateCodec.device(device))).isEqualTo(device);
        }
        DeviceRecord fresh = DeviceRecord.first(new DeviceKey("u", "d"), "", "", "", Instant.EPOCH);
        assertThat(StateCodec.device(StateCodec.device(fresh))).isEqualTo(fresh);
    }

    @Test
    void everyHierarchyFieldRoundTrips() {
        List<Folder> folders = Arrays.stream(FolderType.values())
                .map(type -> new Folder("id-" + type, Folder.ROOT, "Name " + type, type)).toList();
        HierarchyState state = new HierarchyState("7", folders, "6", new byte[] {0, 1, (byte) 255});
        HierarchyState read = StateCodec.hierarchy(StateCodec.hierarchy(state));
        assertThat(read.syncKey()).isEqualTo("7");
        assertThat(read.folders()).isEqualTo(folders);
        assertThat(read.previousKey()).isEqualTo("6");
        assertThat(read.previousResponse()).containsExactly(0, 1, 255);
    }

    @Test
    void everyCollectionFieldRoundTrips() {
        CollectionState state = new CollectionState("9", Long.MAX_VALUE, Map.of("a:1", 1L, "b:\u00e9", -2L), "8",
                new byte[] {5}, new byte[] {6, 7});
        CollectionState read = StateCodec.collection(StateCodec.collection(state));
        assertThat(read.syncKey()).isEqualTo("9");
        assertThat(read.watermark()).isEqualTo(Long.MAX_VALUE);
        assertThat(read.known()).isEqualTo(state.known());
        assertThat(read.previousKey()).isEqualTo("8");
        assertThat(read.previousResponse()).containsExactly(5);
        assertThat(read.options()).containsExactly(6, 7);
        CollectionState empty = new CollectionState("1", 0, Map.of(), "0", new byte[0], new byte[0]);
        assertThat(StateCodec.collection(StateCodec.collection(empty)).known()).isEmpty();
    }

    @Test
    void aClaimRoundTripsAndAStateWithoutOneReadsBackWithout() {
        CollectionState.Claim claim = new CollectionState.Claim("node-a", Instant.parse("2026-12-07T06:00:00.5Z"),
                "claim-1");
        CollectionState state = new CollectionState("4/t", 3, Map.of("a:1", 1L), "3", new byte[0], new byte[] {1},
                claim);
        CollectionState read = StateCodec.collection(StateCodec.collection(state));
        assertThat(read.claim()).isEqualTo(claim);
        assertThat(read.syncKey()).isEqualTo("4/t");
        assertThat(read.options()).containsExactly(1);
        CollectionState plain = new CollectionState("4", 3, Map.of(), "3", new byte[] {2}, new byte[0]);
        assertThat(StateCodec.collection(StateCodec.collection(plain)).claim()).isNull();
        // what the release before claims can read: a state without a claim keeps the first format
        assertThat(StateCodec.collection(plain)[0]).isEqualTo((byte) 1);
        assertThat(StateCodec.collection(state)[0]).isEqualTo((byte) 2);
    }

    /** State written by the release before claims (format 1) still decodes, with no claim. */
    @Test
    void theFirstCollectionFormatStillDecodes() {
        byte[] v1 = {1, 0, 0, 0, 1, '2', 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1, '1', 0, 0, 0, 1, 0, 0, 0, 3, 'f', ':',
            '1', 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 2, 9, 8, 0, 0, 0, 0};
        CollectionState read = StateCodec.collection(v1);
        assertThat(read.syncKey()).isEqualTo("2");
        assertThat(read.watermark()).isEqualTo(7);
        assertThat(read.previousKey()).isEqualTo("1");
        assertThat(read.known()).isEqualTo(Map.of("f:1", 5L));
        assertThat(read.previousResponse()).containsExactly(9, 8);
        assertThat(read.options()).isEmpty();
        assertThat(read.claim()).isNull();
    }

    @Test
    void corruptOrUnknownStateIsRefusedClearly() {
        byte[] stored = StateCodec.collection(new CollectionState("1", 0, Map.of(), "0", new byte[0], new byte[0]));
        assertThatThrownBy(() -> StateCodec.collection(Arrays.copyOf(stored, stored.length - 1)))
                .isInstanceOf(IllegalStateException.class);
        stored[0] = 99;
        assertThatThrownBy(() -> StateCodec.collection(stored)).hasMessageContaining("format 99");
    }
}
