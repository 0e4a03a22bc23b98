package dev.easgate.core.command;

import dev.easgate.core.protocol.EasCommand;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The handlers of the implemented commands, by command. Built once in the composition root. */
public final class CommandRegistry {
    private final Map<EasCommand, CommandHandler> handlers;

    public CommandRegistry(Collection<? extends CommandHandler> all) {
        Map<EasCommand, CommandHandler> map = new EnumMap<>(EasCommand.class);
        for (CommandHandler handler : all) {
            if (map.put(handler.command(), handler) != null) {
                throw new IllegalArgumentException("two handlers for " + handler.command());
            }
        }
        this.handlers = Collections.unmodifiableMap(map);
    }

    /** The handler, or {@code null} when the command is not implemented (HTTP 501). */
    public CommandHandler handler(EasCommand command) {
        return handlers.get(command);
    }

    /** The implemented commands in MS-ASCMD order. */
    public Collection<EasCommand> commands() {
        return handlers.keySet();
    }

    /** The MS-ASProtocolCommands header: exactly the implemented commands. */
    public String advertised() {
        return handlers.keySet().stream().map(EasCommand::wireName).collect(Collectors.joining(","));
    }
}
