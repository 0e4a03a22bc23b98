package dev.easgate.core.command.move;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.core.command.move.MoveItemsHandler.Move;
import dev.easgate.core.command.move.MoveItemsHandler.Outcome;
import dev.easgate.wbxml.WbxmlElement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MoveItemsHandlerTest {
    private static final Map<String, Folder> FOLDERS = Map.of(
            "1", new Folder("1", Folder.ROOT, "Inbox", FolderType.INBOX),
            "2", new Folder("2", Folder.ROOT, "Archive", FolderType.USER_MAIL),
            "3", new Folder("3", Folder.ROOT, "Calendar", FolderType.CALENDAR));

    @Test
    void checkMapsFolderProblemsToTheSpecifiedStatuses() {
        assertThat(MoveItemsHandler.check(new Move("1:1", "1", "2"), FOLDERS)).isNull();
        assertThat(MoveItemsHandler.check(new Move("1:1", "9", "2"), FOLDERS)).isEqualTo(MoveStatus.INVALID_SOURCE);
        assertThat(MoveItemsHandler.check(new Move(null, "1", "2"), FOLDERS)).isEqualTo(MoveStatus.INVALID_SOURCE);
        assertThat(MoveItemsHandler.check(new Move("1:1", "1", "9"), FOLDERS))
                .isEqualTo(MoveStatus.INVALID_DESTINATION);
        assertThat(MoveItemsHandler.check(new Move("1:1", "1", null), FOLDERS))
                .isEqualTo(MoveStatus.INVALID_DESTINATION);
        assertThat(MoveItemsHandler.check(new Move("1:1", "1", "1"), FOLDERS)).isEqualTo(MoveStatus.SAME_FOLDER);
        assertThat(MoveItemsHandler.check(new Move("1:1", "1", "3"), FOLDERS)).isEqualTo(MoveStatus.FAILURE);
    }

    @Test
    void storeRefusalsMapToStatuses() {
        assertThat(MoveStatus.of(MailStoreException.Kind.NOT_FOUND)).isEqualTo(MoveStatus.INVALID_SOURCE);
        assertThat(MoveStatus.of(MailStoreException.Kind.INVALID)).isEqualTo(MoveStatus.FAILURE);
        assertThat(MoveStatus.of(MailStoreException.Kind.NOT_ALLOWED)).isEqualTo(MoveStatus.FAILURE);
        assertThat(MoveStatus.of(MailStoreException.Kind.UNAVAILABLE)).isEqualTo(MoveStatus.LOCKED);
        assertThat(List.of(MoveStatus.values())).extracting(MoveStatus::code).containsExactly(1, 2, 3, 4, 5, 7);
    }

    @Test
    void responseListsEveryMoveWithDstMsgIdOnlyOnSuccess() {
        WbxmlElement body = MoveItemsHandler.response(List.of(
                new Outcome("1:1", MoveStatus.SUCCESS, "2:7"),
                new Outcome("1:2", MoveStatus.INVALID_SOURCE, null))).body();

        List<WbxmlElement> responses = body.children("Response");
        assertThat(responses).hasSize(2);
        assertThat(responses.get(0).childText("SrcMsgId")).isEqualTo("1:1");
        assertThat(responses.get(0).childText("Status")).isEqualTo("3");
        assertThat(responses.get(0).childText("DstMsgId")).isEqualTo("2:7");
        assertThat(responses.get(1).childText("Status")).isEqualTo("1");
        assertThat(responses.get(1).child("DstMsgId")).isNull();
    }
}
