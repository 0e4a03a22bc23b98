package dev.easgate.core.startup;

import dev.easgate.backends.imap.MailServerUrl;

/** SMTP: the greeting (RFC 5321 4.2: 220, or 554 refusing) and EHLO answered 250, then QUIT. */
final class SmtpProbe implements Probe {
    private final MailServerUrl server;

    SmtpProbe(MailServerUrl server) {
        this.server = server;
    }

    @Override
    public String ask(long deadline) throws Exception {
        try (LineConnection connection = LineConnection.open(server.host(), server.port(),
                server.security() == MailServerUrl.Security.TLS, deadline)) {
            String greeting = reply(connection);
            if (!greeting.startsWith("220")) {
                throw new ProbeRefusedException("greeting " + greeting);
            }
            connection.writeLine("EHLO easgate-probe");
            String ehlo = reply(connection);
            if (!ehlo.startsWith("250")) {
                throw new ProbeRefusedException("EHLO answered " + ehlo);
            }
            connection.writeLine("QUIT");
            return "SMTP greeting and EHLO";
        }
    }

    /** The last line of a (possibly multi-line, "250-...") reply. */
    private static String reply(LineConnection connection) throws java.io.IOException {
        String line = connection.readLine();
        while (line.length() > 3 && line.charAt(3) == '-') {
            line = connection.readLine();
        }
        return line;
    }
}
