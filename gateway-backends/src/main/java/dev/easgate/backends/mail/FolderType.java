package dev.easgate.backends.mail;

/** EAS folder types (MS-ASCMD 2.2.3.186.3 FolderSync Type) with the item class each holds. */
public enum FolderType {
    USER_GENERIC(1, ItemClass.EMAIL),
    INBOX(2, ItemClass.EMAIL),
    DRAFTS(3, ItemClass.EMAIL),
    DELETED_ITEMS(4, ItemClass.EMAIL),
    SENT_ITEMS(5, ItemClass.EMAIL),
    OUTBOX(6, ItemClass.EMAIL),
    TASKS(7, ItemClass.TASKS),
    CALENDAR(8, ItemClass.CALENDAR),
    CONTACTS(9, ItemClass.CONTACTS),
    NOTES(10, ItemClass.NOTES),
    JOURNAL(11, ItemClass.NOTES),
    USER_MAIL(12, ItemClass.EMAIL),
    USER_CALENDAR(13, ItemClass.CALENDAR),
    USER_CONTACTS(14, ItemClass.CONTACTS),
    USER_TASKS(15, ItemClass.TASKS),
    USER_JOURNAL(16, ItemClass.NOTES),
    USER_NOTES(17, ItemClass.NOTES),
    UNKNOWN(18, ItemClass.EMAIL),
    RECIPIENT_INFORMATION_CACHE(19, ItemClass.CONTACTS);

    private final int code;
    private final ItemClass itemClass;

    FolderType(int code, ItemClass itemClass) {
        this.code = code;
        this.itemClass = itemClass;
    }

    /** The number written in FolderSync's Type element. */
    public int code() {
        return code;
    }

    public ItemClass itemClass() {
        return itemClass;
    }

    /** Whether this is a user-created folder type (FolderCreate may only make these, MS-ASCMD 2.2.3.186.3). */
    public boolean userCreatable() {
        return this == USER_GENERIC || this == USER_MAIL || this == USER_CALENDAR || this == USER_CONTACTS
                || this == USER_TASKS || this == USER_JOURNAL || this == USER_NOTES;
    }

    public static FolderType ofCode(int code) {
        for (FolderType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown EAS folder type " + code);
    }
}
