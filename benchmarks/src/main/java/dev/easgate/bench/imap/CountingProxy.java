package dev.easgate.bench.imap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCP proxy on a loopback port in front of an IMAP server that counts what a client (the gateway) costs it:
 * connections opened, connections open now, and the client's command lines by command name (the word after the
 * tag; {@code UID FETCH} as two words). Lines of a continuation (an AUTHENTICATE response, IDLE's DONE) count as
 * "(continuation)"; literal data ({@code {n}}) is forwarded uncounted. Two threads per connection (blocking copy):
 * meant for the few hundred connections a gateway node keeps.
 */
final class CountingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int upstreamPort;
    private final LongAdder opened = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, LongAdder> commands = new ConcurrentHashMap<>();
    private final Thread acceptor;

    /** What was counted up to one moment. */
    record Counts(long opened, int open, Map<String, Long> commands) {
        long commandLines() {
            return commands.entrySet().stream().filter(e -> !e.getKey().startsWith("("))
                    .mapToLong(Map.Entry::getValue).sum();
        }

        /** This minus an earlier reading (open is this one's). */
        Counts since(Counts earlier) {
            Map<String, Long> delta = new TreeMap<>();
            commands.forEach((name, count) -> {
                long d = count - earlier.commands.getOrDefault(name, 0L);
                if (d > 0) {
                    delta.put(name, d);
                }
            });
            return new Counts(opened - earlier.opened, open, delta);
        }
    }

    CountingProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        acceptor = new Thread(this::accept, "imap-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    Counts counts() {
        Map<String, Long> snapshot = new TreeMap<>();
        commands.forEach((name, count) -> snapshot.put(name, count.sum()));
        return new Counts(opened.sum(), open.get(), snapshot);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            opened.increment();
            open.incrementAndGet();
            Socket upstream;
            try {
                upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
            } catch (IOException e) {
                open.decrementAndGet();
                closeQuietly(client);
                continue;
            }
            AtomicInteger ends = new AtomicInteger();
            Runnable done = () -> {
                if (ends.incrementAndGet() == 1) {
                    open.decrementAndGet();
                }
                closeQuietly(client);
                closeQuietly(upstream);
            };
            start(() -> copyCounting(client, upstream, done), "imap-proxy-up");
            start(() -> copy(upstream, client, done), "imap-proxy-down");
        }
    }

    private static void start(Runnable task, String name) {
        Thread thread = new Thread(null, task, name, 256 * 1024);
        thread.setDaemon(true);
        thread.start();
    }

    private static void copy(Socket from, Socket to, Runnable done) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException ended) {
            // either side went away
        } finally {
            done.run();
        }
    }

    /** Forwards client to server, counting each command line as it passes. */
    private void copyCounting(Socket from, Socket to, Runnable done) {
        byte[] buffer = new byte[16 * 1024];
        StringBuilder line = new StringBuilder();
        long literal = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                for (int i = 0; i < n; i++) {
                    if (literal > 0) {
                        literal--;
                        continue;
                    }
                    char c = (char) (buffer[i] & 0xff);
                    if (c == '\n') {
                        literal = count(line.toString().strip());
                        line.setLength(0);
                    } else if (line.length() < 200) {
                        line.append(c);
                    }
                }
            }
        } catch (IOException ended) {
            // either side went away
        } finally {
            done.run();
        }
    }

    /** Counts one line; returns the octets of a literal announced at its end. */
    private long count(String text) {
        if (text.isEmpty()) {
            return 0; // the end of a command that carried a literal
        }
        String[] words = text.split(" ", 4);
        String name;
        if (words.length < 2) {
            name = "(continuation)";
        } else {
            name = words[1].toUpperCase(Locale.ROOT);
            if (name.equals("UID") && words.length > 2) {
                name = "UID " + words[2].toUpperCase(Locale.ROOT);
            }
        }
        commands.computeIfAbsent(name, k -> new LongAdder()).increment();
        int open = text.lastIndexOf('{');
        if (open >= 0 && text.endsWith("}")) {
            String digits = text.substring(open + 1, text.length() - 1).replace("+", "");
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException notALiteral) {
                return 0;
            }
        }
        return 0;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    static String describe(Map<String, Long> commands) {
        StringBuilder out = new StringBuilder();
        commands.forEach((name, count) -> out.append(out.length() == 0 ? "" : ", ").append(name).append(' ')
                .append(count));
        return out.length() == 0 ? "-" : out.toString();
    }
}
