package dev.easgate.core.command.move;

import dev.easgate.backends.mail.MailStoreException;

/** The per-move Status values of MS-ASCMD 2.2.3.177.10 Status (MoveItems). */
public enum MoveStatus {
    /** Invalid source collection id or source item id (the folder is unknown or the item is not in it). */
    INVALID_SOURCE(1),
    /** Invalid destination collection id. */
    INVALID_DESTINATION(2),
    /** Success; the response carries DstMsgId. */
    SUCCESS(3),
    /** Source and destination collection ids are the same. */
    SAME_FOLDER(4),
    /** Any other failure, e.g. the destination holds another item class. */
    FAILURE(5),
    /** Source or destination item was locked: transient, the client may retry. */
    LOCKED(7);

    private final int code;

    MoveStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The status for a store's refusal of a move whose folders were checked beforehand. */
    public static MoveStatus of(MailStoreException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> INVALID_SOURCE;
            case UNAVAILABLE, CREDENTIALS_REFUSED -> LOCKED;
            case ALREADY_EXISTS, NOT_ALLOWED, INVALID -> FAILURE;
        };
    }
}
