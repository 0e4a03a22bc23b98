package dev.easgate.core.command.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.FolderChanges;
import dev.easgate.backends.mail.ItemVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncDiffTest {
    static final Instant NOW = Instant.parse("2026-05-01T00:00:00Z");

    static ItemVersion v(String id, long modSeq) {
        return new ItemVersion(id, modSeq, NOW);
    }

    @Test
    void classifiesAddsChangesAndDeletes() {
        FolderChanges changes = new FolderChanges(9, List.of(v("a", 7), v("b", 8), v("c", 9)), List.of("x", "y"),
                false);
        SyncDiff.Result result = SyncDiff.compute(5, Map.of("a", 3L, "b", 8L, "x", 2L), changes, null, 10);
        assertThat(result.page()).containsExactly(
                new ServerChange(ServerChange.Kind.DELETE, "x", 0),
                new ServerChange(ServerChange.Kind.CHANGE, "a", 7),
                new ServerChange(ServerChange.Kind.ADD, "c", 9));
        assertThat(result.known()).isEqualTo(Map.of("a", 7L, "b", 8L, "c", 9L));
        assertThat(result.watermark()).isEqualTo(9);
        assertThat(result.moreAvailable()).isFalse();
        assertThat(result.pending()).isEqualTo(3);
    }

    @Test
    void pagingKeepsTheWatermarkUntilNothingIsPending() {
        FolderChanges all = new FolderChanges(5, List.of(v("a", 1), v("b", 2), v("c", 3), v("d", 4), v("e", 5)),
                List.of(), false);
        SyncDiff.Result first = SyncDiff.compute(0, Map.of(), all, null, 2);
        assertThat(first.page()).extracting(ServerChange::id).containsExactly("a", "b");
        assertThat(first.moreAvailable()).isTrue();
        assertThat(first.watermark()).isZero();
        SyncDiff.Result second = SyncDiff.compute(first.watermark(), first.known(), all, null, 2);
        assertThat(second.page()).extracting(ServerChange::id).containsExactly("c", "d");
        SyncDiff.Result third = SyncDiff.compute(second.watermark(), second.known(), all, null, 2);
        assertThat(third.page()).extracting(ServerChange::id).containsExactly("e");
        assertThat(third.moreAvailable()).isFalse();
        assertThat(third.watermark()).isEqualTo(5);
    }

    @Test
    void filterSkipsOldItemsAndSoftDeletesKnownOnes() {
        Instant old = NOW.minusSeconds(86400 * 10);
        FolderChanges changes = new FolderChanges(4, List.of(new ItemVersion("old", 3, old),
                new ItemVersion("known-old", 4, old)), List.of(), false);
        SyncDiff.Result result = SyncDiff.compute(2, Map.of("known-old", 1L), changes, NOW.minusSeconds(86400), 10);
        assertThat(result.page()).containsExactly(new ServerChange(ServerChange.Kind.SOFT_DELETE, "known-old", 4));
        assertThat(result.known()).isEmpty();
    }

    @Test
    void resetDeletesKnownItemsTheStoreNoLongerLists() {
        FolderChanges changes = new FolderChanges(20, List.of(v("a", 3)), List.of(), true);
        SyncDiff.Result result = SyncDiff.compute(50, Map.of("a", 3L, "gone", 4L), changes, null, 10);
        assertThat(result.page()).containsExactly(new ServerChange(ServerChange.Kind.DELETE, "gone", 0));
        assertThat(result.watermark()).isEqualTo(20);
    }

    /**
     * A version is not an order (ItemVersion): a store whose versions are hashes (DAV: of the ETag) may report a
     * lower number for newer content, which is a Change all the same; the version the device holds is nothing.
     */
    @Test
    void anotherVersionIsAChangeWhetherHigherOrLowerAndTheSameIsNothing() {
        FolderChanges changes = new FolderChanges(100, List.of(v("lower", 5), v("higher", 90), v("same", 42)),
                List.of(), true);
        SyncDiff.Result result = SyncDiff.compute(7, Map.of("lower", 80L, "higher", 60L, "same", 42L), changes,
                null, 10);
        assertThat(result.page()).containsExactly(
                new ServerChange(ServerChange.Kind.CHANGE, "lower", 5),
                new ServerChange(ServerChange.Kind.CHANGE, "higher", 90));
        assertThat(result.known()).isEqualTo(Map.of("lower", 5L, "higher", 90L, "same", 42L));
        assertThat(result.watermark()).isEqualTo(100);
    }
}
