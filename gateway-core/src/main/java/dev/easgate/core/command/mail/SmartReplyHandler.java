package dev.easgate.core.command.mail;

/**
 * SmartReply (MS-ASCMD 2.2.1.20): replies to a message on the server,
 * whose text the server quotes unless ReplaceMime is present.
 */
public final class SmartReplyHandler extends ComposeMailHandler {

    public SmartReplyHandler(OutgoingMailService service) {
        super(ComposeMode.REPLY, service);
    }
}
