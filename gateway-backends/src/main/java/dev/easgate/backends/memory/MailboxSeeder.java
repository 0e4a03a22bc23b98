package dev.easgate.backends.memory;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import java.time.Instant;

/**
 * Fills a user's store when {@link MemoryMailStore} first meets the user. Runs once per user, before anyone else
 * sees the store; it writes through {@link Target}, which publishes no change and has no rule against special
 * folder types.
 */
@FunctionalInterface
public interface MailboxSeeder {

    void seed(String user, Target mailbox);

    /** The folders every EAS store has (MS-ASCMD 2.2.3.186.3 types 2 to 10), without items. */
    MailboxSeeder STANDARD_FOLDERS = (user, mailbox) -> createStandardFolders(mailbox);

    /** Creates Inbox, Drafts, Deleted Items, Sent Items, Outbox, Tasks, Calendar, Contacts and Notes. */
    static void createStandardFolders(Target mailbox) {
        mailbox.folder(Folder.ROOT, "Inbox", FolderType.INBOX);
        mailbox.folder(Folder.ROOT, "Drafts", FolderType.DRAFTS);
        mailbox.folder(Folder.ROOT, "Deleted Items", FolderType.DELETED_ITEMS);
        mailbox.folder(Folder.ROOT, "Sent Items", FolderType.SENT_ITEMS);
        mailbox.folder(Folder.ROOT, "Outbox", FolderType.OUTBOX);
        mailbox.folder(Folder.ROOT, "Tasks", FolderType.TASKS);
        mailbox.folder(Folder.ROOT, "Calendar", FolderType.CALENDAR);
        mailbox.folder(Folder.ROOT, "Contacts", FolderType.CONTACTS);
        mailbox.folder(Folder.ROOT, "Notes", FolderType.NOTES);
    }

    /** The new store being filled. */
    interface Target {

        /** Creates a folder of any type. */
        Folder folder(String parentId, String name, FolderType type);

        /** Adds an item with the given date (received date of an email, start of an event ...). */
        Item item(String folderId, ItemContent content, Instant date);
    }
}
