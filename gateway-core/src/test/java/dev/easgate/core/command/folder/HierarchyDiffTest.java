package dev.easgate.core.command.folder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import java.util.List;
import org.junit.jupiter.api.Test;

class HierarchyDiffTest {
    private static final Folder INBOX = new Folder("f1", "0", "Inbox", FolderType.INBOX);
    private static final Folder WORK = new Folder("f2", "f1", "Work", FolderType.USER_MAIL);
    private static final Folder DEEP = new Folder("f3", "f2", "Deep", FolderType.USER_MAIL);
    private static final Folder NOTES = new Folder("f4", "0", "Notes", FolderType.NOTES);

    @Test
    void fromNothingEverythingIsAddedParentsFirst() {
        HierarchyDiff diff = HierarchyDiff.between(List.of(), List.of(INBOX, WORK, DEEP));
        assertThat(diff.added()).containsExactly(INBOX, WORK, DEEP);
        assertThat(diff.updated()).isEmpty();
        assertThat(diff.deleted()).isEmpty();
        assertThat(diff.count()).isEqualTo(3);
    }

    @Test
    void sameListsGiveNoChange() {
        assertThat(HierarchyDiff.between(List.of(INBOX, WORK), List.of(INBOX, WORK)).isEmpty()).isTrue();
    }

    @Test
    void renameAndMoveAreUpdates() {
        Folder renamed = new Folder("f2", "f1", "Job", FolderType.USER_MAIL);
        Folder moved = new Folder("f3", "0", "Deep", FolderType.USER_MAIL);
        HierarchyDiff diff = HierarchyDiff.between(List.of(INBOX, WORK, DEEP), List.of(INBOX, renamed, moved));
        assertThat(diff.updated()).containsExactly(renamed, moved);
        assertThat(diff.added()).isEmpty();
    }

    @Test
    void aDeletedSubtreeIsReportedByItsTopFolderOnly() {
        HierarchyDiff diff = HierarchyDiff.between(List.of(INBOX, WORK, DEEP, NOTES), List.of(INBOX, NOTES));
        assertThat(diff.deleted()).containsExactly("f2");
        assertThat(HierarchyDiff.vanished(List.of(INBOX, WORK, DEEP, NOTES), List.of(INBOX, NOTES)))
                .containsExactly("f2", "f3");
    }

    @Test
    void keysAreDecimalCounters() {
        assertThat(FolderHierarchy.isWellFormedKey("0")).isTrue();
        assertThat(FolderHierarchy.isWellFormedKey("17")).isTrue();
        assertThat(FolderHierarchy.isWellFormedKey("017")).isFalse();
        assertThat(FolderHierarchy.isWellFormedKey("abc")).isFalse();
        assertThat(FolderHierarchy.isWellFormedKey("")).isFalse();
        assertThat(FolderHierarchy.isWellFormedKey("1234567890123456789")).isFalse();
        assertThat(FolderHierarchy.next("9")).isEqualTo("10");
    }

    @Test
    void listOperationsApplyTheDevicesOwnChange() {
        Folder renamed = new Folder("f2", "f1", "Job", FolderType.USER_MAIL);
        assertThat(FolderHierarchy.withFolder(List.of(INBOX, WORK), renamed)).containsExactly(INBOX, renamed);
        assertThat(FolderHierarchy.withFolder(List.of(INBOX), NOTES)).containsExactly(INBOX, NOTES);
        assertThat(FolderHierarchy.subtree(List.of(INBOX, WORK, DEEP, NOTES), "f1"))
                .containsExactlyInAnyOrder("f1", "f2", "f3");
        assertThat(FolderHierarchy.without(List.of(INBOX, WORK, DEEP, NOTES), java.util.Set.of("f2", "f3")))
                .containsExactly(INBOX, NOTES);
    }
}
