package dev.easgate.core.startup;

import dev.easgate.backends.sieve.SieveUrl;
import java.io.IOException;
import java.util.Locale;

/** ManageSieve: the greeting (RFC 5804 section 1.7: capabilities ending in OK; BYE refuses), then LOGOUT. */
final class SieveProbe implements Probe {
    private static final int MAX_CAPABILITY_LINES = 100;

    private final SieveUrl server;

    SieveProbe(SieveUrl server) {
        this.server = server;
    }

    @Override
    public String ask(long deadline) throws Exception {
        try (LineConnection connection = LineConnection.open(server.host(), server.port(), false, deadline)) {
            String implementation = "";
            for (int i = 0; i < MAX_CAPABILITY_LINES; i++) {
                String line = connection.readLine();
                if (line.startsWith("OK")) {
                    connection.writeLine("LOGOUT");
                    return "ManageSieve greeting" + implementation;
                }
                if (line.startsWith("BYE") || line.startsWith("NO")) {
                    throw new ProbeRefusedException("greeting " + line);
                }
                if (line.toUpperCase(Locale.ROOT).startsWith("\"IMPLEMENTATION\" ")) {
                    implementation = " from " + line.substring("\"IMPLEMENTATION\" ".length());
                }
            }
            throw new IOException("no OK after " + MAX_CAPABILITY_LINES + " capability lines");
        }
    }
}
