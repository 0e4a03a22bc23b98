package dev.easgate.core.command.mail;

/** SendMail (MS-ASCMD 2.2.1.17): sends a new message. */
public final class SendMailHandler extends ComposeMailHandler {

    public SendMailHandler(OutgoingMailService service) {
        super(ComposeMode.SEND, service);
    }
}
