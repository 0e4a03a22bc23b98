package dev.easgate.core.startup;

/**
 * Redis: PING answered {@code +PONG}; an error reply (e.g. {@code -NOAUTH} before AUTH) still comes from a Redis
 * that answers, so it counts as answering.
 */
final class RedisProbe implements Probe {
    private final String host;
    private final int port;
    private final boolean tls;

    RedisProbe(String host, int port, boolean tls) {
        this.host = host;
        this.port = port;
        this.tls = tls;
    }

    @Override
    public String ask(long deadline) throws Exception {
        try (LineConnection connection = LineConnection.open(host, port, tls, deadline)) {
            connection.writeLine("PING");
            String reply = connection.readLine();
            if (reply.equals("+PONG")) {
                return "PONG";
            }
            if (reply.startsWith("-LOADING") || reply.startsWith("-MASTERDOWN")) {
                throw new ProbeRefusedException(reply.substring(1));
            }
            if (reply.startsWith("-")) {
                return "PING answered " + reply.substring(1);
            }
            throw new ProbeRefusedException("PING answered " + reply + " (not Redis?)");
        }
    }
}
