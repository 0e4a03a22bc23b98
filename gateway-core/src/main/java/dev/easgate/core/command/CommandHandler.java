package dev.easgate.core.command;

import dev.easgate.core.protocol.EasCommand;
import reactor.core.publisher.Mono;

/**
 * Handles one EAS command. Implementations decode nothing and encode nothing (the HTTP front does), never block
 * the calling thread, and answer request errors with the EAS status MS-ASCMD prescribes rather than with
 * exceptions; an error signal becomes HTTP 500.
 */
public interface CommandHandler {

    EasCommand command();

    Mono<CommandResponse> handle(CommandRequest request);
}
