package dev.easgate.core.startup;

import dev.easgate.backends.imap.MailServerUrl;

/** IMAP: the greeting (RFC 9051 7.1: OK or PREAUTH; BYE refuses), then CAPABILITY answered OK. */
final class ImapProbe implements Probe {
    private final MailServerUrl server;

    ImapProbe(MailServerUrl server) {
        this.server = server;
    }

    @Override
    public String ask(long deadline) throws Exception {
        try (LineConnection connection = LineConnection.open(server.host(), server.port(),
                server.security() == MailServerUrl.Security.TLS, deadline)) {
            String greeting = connection.readLine();
            if (!greeting.startsWith("* OK") && !greeting.startsWith("* PREAUTH")) {
                throw new ProbeRefusedException("greeting " + greeting);
            }
            connection.writeLine("p1 CAPABILITY");
            while (true) {
                String line = connection.readLine();
                if (line.startsWith("p1 ")) {
                    if (!line.startsWith("p1 OK")) {
                        throw new ProbeRefusedException("CAPABILITY answered " + line);
                    }
                    break;
                }
            }
            connection.writeLine("p2 LOGOUT");
            return "IMAP greeting and CAPABILITY";
        }
    }
}
