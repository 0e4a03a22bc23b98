package dev.easgate.core.command.mail;

import dev.easgate.core.protocol.EasCommand;

/** Which ComposeMail command a request is: a new message, a reply to a source item, or a forward of one. */
public enum ComposeMode {
    SEND(EasCommand.SEND_MAIL),
    REPLY(EasCommand.SMART_REPLY),
    FORWARD(EasCommand.SMART_FORWARD);

    private final EasCommand command;

    ComposeMode(EasCommand command) {
        this.command = command;
    }

    public EasCommand command() {
        return command;
    }

    /** Whether the command names a source item (MS-ASCMD 2.2.3.173 Source). */
    public boolean hasSource() {
        return this != SEND;
    }
}
