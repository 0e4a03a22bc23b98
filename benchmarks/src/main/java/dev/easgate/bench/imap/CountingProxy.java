package dev.easgate.bench.imap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
 * "(continuation)"; literal data ({@code {n}}) is forwarded uncounted. One selector thread for all connections
 * (non-blocking copy, 8 KB a direction): a gateway that holds one connection per parked user keeps thousands open,
 * and a thread per direction would take as many of the machine's process ids as the IMAP server's processes do.
 *
 * <p>{@link #main} runs it as its own process ({@link ProxyProcess}): each proxied connection takes two file
 * descriptors, which with thousands held do not fit next to the simulated phones in the bench's process.
 */
final class CountingProxy implements AutoCloseable {
    private static final int BUFFER = 8 * 1024;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final InetSocketAddress upstream;
    private final LongAdder opened = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, LongAdder> commands = new ConcurrentHashMap<>();
    private final Thread loop;
    private volatile boolean closing;

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

        /** The sum of two proxies' counts. */
        Counts plus(Counts other) {
            Map<String, Long> sum = new TreeMap<>(commands);
            other.commands.forEach((name, count) -> sum.merge(name, count, Long::sum));
            return new Counts(opened + other.opened, open + other.open, sum);
        }

        /** One line: opened, open, then name=count, tab-separated (names hold spaces, no tabs). */
        String line() {
            StringBuilder out = new StringBuilder().append(opened).append('\t').append(open);
            commands.forEach((name, count) -> out.append('\t').append(name).append('=').append(count));
            return out.toString();
        }

        static Counts parse(String line) {
            String[] fields = line.split("\t");
            Map<String, Long> commands = new TreeMap<>();
            for (int i = 2; i < fields.length; i++) {
                int eq = fields[i].lastIndexOf('=');
                commands.put(fields[i].substring(0, eq), Long.parseLong(fields[i].substring(eq + 1)));
            }
            return new Counts(Long.parseLong(fields[0]), Integer.parseInt(fields[1]), commands);
        }
    }

    /** One direction of a proxied connection: bytes read from {@code from} wait in {@code buffer} for {@code to}. */
    private static final class Side {
        final SocketChannel from;
        final SocketChannel to;
        final boolean counting;
        final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        final StringBuilder line = new StringBuilder();
        long literal;
        SelectionKey fromKey;
        SelectionKey toKey;

        Side(SocketChannel from, SocketChannel to, boolean counting) {
            this.from = from;
            this.to = to;
            this.counting = counting;
        }
    }

    /** What a channel's key carries: the side it is read for and the side it is written for. */
    private record Endpoint(Side reads, Side writes) {
    }

    CountingProxy(int upstreamPort) throws IOException {
        this.upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort);
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        loop = new Thread(this::run, "imap-proxy");
        loop.setDaemon(true);
        loop.start();
    }

    int port() {
        return server.socket().getLocalPort();
    }

    Counts counts() {
        Map<String, Long> snapshot = new TreeMap<>();
        commands.forEach((name, count) -> snapshot.put(name, count.sum()));
        return new Counts(opened.sum(), open.get(), snapshot);
    }

    private void run() {
        try {
            while (!closing) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException ended) {
            // closed
        } finally {
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key.channel());
            }
            closeQuietly(selector);
        }
    }

    private void handle(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept();
            return;
        }
        Endpoint endpoint = (Endpoint) key.attachment();
        try {
            if (key.isReadable()) {
                read(endpoint.reads());
            }
            if (key.isValid() && key.isWritable()) {
                drain(endpoint.writes());
            }
        } catch (IOException | RuntimeException ended) {
            end(endpoint);
        }
    }

    private void accept() {
        SocketChannel client;
        try {
            client = server.accept();
        } catch (IOException e) {
            return;
        }
        if (client == null) {
            return;
        }
        opened.increment();
        SocketChannel toServer;
        try {
            // blocking connect on loopback: immediate (the server's backlog takes it)
            toServer = SocketChannel.open(upstream);
            client.configureBlocking(false);
            toServer.configureBlocking(false);
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        open.incrementAndGet();
        Side up = new Side(client, toServer, true);
        Side down = new Side(toServer, client, false);
        try {
            SelectionKey clientKey = client.register(selector, SelectionKey.OP_READ, new Endpoint(up, down));
            SelectionKey serverKey = toServer.register(selector, SelectionKey.OP_READ, new Endpoint(down, up));
            up.fromKey = clientKey;
            up.toKey = serverKey;
            down.fromKey = serverKey;
            down.toKey = clientKey;
        } catch (IOException e) {
            open.decrementAndGet();
            closeQuietly(client);
            closeQuietly(toServer);
        }
    }

    private void read(Side side) throws IOException {
        int n = side.from.read(side.buffer);
        if (n < 0) {
            throw new IOException("end of stream");
        }
        if (n == 0) {
            return;
        }
        if (side.counting) {
            scan(side, side.buffer.array(), side.buffer.position() - n, side.buffer.position());
        }
        side.buffer.flip();
        side.to.write(side.buffer);
        if (side.buffer.hasRemaining()) {
            // the receiver is slow: stop reading this side until its bytes are out
            side.fromKey.interestOpsAnd(~SelectionKey.OP_READ);
            side.toKey.interestOpsOr(SelectionKey.OP_WRITE);
        } else {
            side.buffer.clear();
        }
    }

    private void drain(Side side) throws IOException {
        side.to.write(side.buffer);
        if (!side.buffer.hasRemaining()) {
            side.buffer.clear();
            side.toKey.interestOpsAnd(~SelectionKey.OP_WRITE);
            side.fromKey.interestOpsOr(SelectionKey.OP_READ);
        }
    }

    /** Either side went away: both close, counted once. */
    private void end(Endpoint endpoint) {
        Side side = endpoint.reads();
        boolean wasOpen = side.from.isOpen() || side.to.isOpen();
        closeQuietly(side.from);
        closeQuietly(side.to);
        if (wasOpen) {
            open.decrementAndGet();
        }
    }

    /** Counts the command lines in {@code bytes[from, to)}, skipping literal data. */
    private void scan(Side side, byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (side.literal > 0) {
                side.literal--;
                continue;
            }
            char c = (char) (bytes[i] & 0xff);
            if (c == '\n') {
                side.literal = count(side.line.toString().strip());
                side.line.setLength(0);
            } else if (side.line.length() < 200) {
                side.line.append(c);
            }
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
        int brace = text.lastIndexOf('{');
        if (brace >= 0 && text.endsWith("}")) {
            String digits = text.substring(brace + 1, text.length() - 1).replace("+", "");
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException notALiteral) {
                return 0;
            }
        }
        return 0;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closing = true;
        closeQuietly(server);
        selector.wakeup();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String describe(Map<String, Long> commands) {
        StringBuilder out = new StringBuilder();
        commands.forEach((name, count) -> out.append(out.length() == 0 ? "" : ", ").append(name).append(' ')
                .append(count));
        return out.length() == 0 ? "-" : out.toString();
    }

    /**
     * {@code CountingProxy UPSTREAM_PORT}: prints {@code listening PORT CONTROL_PORT}, then answers each connection
     * to the control port with one {@link Counts#line()}; exits when its standard input ends (the bench is gone).
     */
    public static void main(String[] args) throws Exception {
        try (CountingProxy proxy = new CountingProxy(Integer.parseInt(args[0]));
             ServerSocket control = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
            out.println("listening " + proxy.port() + " " + control.getLocalPort());
            Thread watch = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                        StandardCharsets.US_ASCII))) {
                    while (in.readLine() != null) {
                        // nothing is sent; only the end matters
                    }
                } catch (IOException ended) {
                    // the bench is gone
                }
                Runtime.getRuntime().halt(0);
            }, "imap-proxy-stdin");
            watch.setDaemon(true);
            watch.start();
            while (true) {
                try (Socket asker = control.accept(); OutputStream answer = asker.getOutputStream()) {
                    answer.write((proxy.counts().line() + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }
}
