package dev.easgate.core.command.mail;

/**
 * SmartForward (MS-ASCMD 2.2.1.19): forwards a message on the server,
 * which the server attaches unless ReplaceMime is present.
 */
public final class SmartForwardHandler extends ComposeMailHandler {

    public SmartForwardHandler(OutgoingMailService service) {
        super(ComposeMode.FORWARD, service);
    }
}
