package dev.easgate.core.command.mail;

/**
 * The ComposeMail Status values this package answers: common status codes of MS-ASCMD 2.2.2, which SendMail
 * (2.2.3.177.14) and SmartForward/SmartReply (2.2.3.177.16) use.
 */
public enum ComposeStatus {
    /** The request is not well-formed ComposeMail (e.g. no Mime element). */
    INVALID_XML(103),
    /** The MIME cannot be parsed, or holds an address that is not one. */
    INVALID_MIME(107),
    /** An unexpected server failure. */
    SERVER_ERROR(110),
    /** The mailbox store is unavailable for now; the client may retry. */
    SERVER_ERROR_RETRY_LATER(111),
    /** A message with this ClientId was already sent. */
    MESSAGE_PREVIOUSLY_SENT(118),
    /** The message has no To, Cc or Bcc recipient. */
    MESSAGE_HAS_NO_RECIPIENT(119),
    /** The message could not be submitted for delivery. */
    MAIL_SUBMISSION_FAILED(120),
    /** The source item of a SmartReply or SmartForward does not exist. */
    ITEM_NOT_FOUND(150);

    private final int code;

    ComposeStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
