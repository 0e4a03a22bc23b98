package dev.easgate.bench.scenario;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Delivers mail over LMTP (RFC 2033) as an MTA does, to one server: {@code connections} kept-open connections, each
 * with a thread of its own that takes messages from its queue and delivers them one at a time (MAIL, RCPT and DATA
 * pipelined, then the message: two round trips). {@link #deliver} only queues, so a fixed-rate schedule never waits
 * for a delivery; a failure is reported to the message's callback, and the connection is opened again for the next.
 */
public final class LmtpSender implements AutoCloseable {
    /** Messages waiting per connection before {@link #deliver} refuses (the server has fallen far behind). */
    static final int QUEUE = 10_000;

    private record Message(String recipient, byte[] content, Consumer<String> failed) {
    }

    private final String host;
    private final int port;
    private final List<BlockingQueue<Message>> queues = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    public LmtpSender(String hostAndPort, int connections) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("LMTP server must be HOST:PORT, got " + hostAndPort);
        }
        this.host = hostAndPort.substring(0, colon);
        this.port = Integer.parseInt(hostAndPort.substring(colon + 1));
        for (int i = 0; i < connections; i++) {
            BlockingQueue<Message> queue = new ArrayBlockingQueue<>(QUEUE);
            queues.add(queue);
            Thread thread = new Thread(() -> run(queue), "lmtp-" + hostAndPort + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Queues a small text message to {@code recipient}; {@code failed} learns why it was not delivered. */
    public void deliver(String recipient, String subject, Consumer<String> failed) {
        Message message = new Message(recipient, message(recipient, subject), failed);
        BlockingQueue<Message> queue = queues.get(Math.floorMod(next.getAndIncrement(), queues.size()));
        if (!queue.offer(message)) {
            failed.accept("LMTP: " + QUEUE + " messages queued, the server is not keeping up");
        }
    }

    /** The message as it goes after DATA: headers, body, and the terminating dot line (no line starts with one). */
    static byte[] message(String recipient, String subject) {
        return ("From: eas-bench <changes@bench.test>\r\nTo: " + recipient + "\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + System.nanoTime() + "." + Math.abs(recipient.hashCode())
                + "@bench.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
                + "Delivered over LMTP by eas-bench wake.\r\n.\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private void run(BlockingQueue<Message> queue) {
        Connection connection = null;
        while (!closed) {
            Message message;
            try {
                message = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (message == null) {
                continue;
            }
            try {
                if (connection == null) {
                    connection = new Connection(host, port);
                }
                connection.deliver(message);
            } catch (IOException | RuntimeException e) {
                message.failed().accept("LMTP: " + e.getMessage());
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    /** One open LMTP connection, greeted and past LHLO. */
    private static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(String host, int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            expect("220");
            write("LHLO bench.test\r\n");
            expect("250");
        }

        void deliver(Message message) throws IOException {
            // one recipient: MAIL, RCPT and DATA in one write (PIPELINING, which every LMTP server offers)
            write("MAIL FROM:<changes@bench.test>\r\nRCPT TO:<" + message.recipient() + ">\r\nDATA\r\n");
            expect("250");
            expect("250");
            expect("354");
            out.write(message.content());
            out.flush();
            expect("250");
        }

        private void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Reads one reply (its continuation lines too) and checks its code. */
        private void expect(String code) throws IOException {
            String line;
            do {
                line = readLine();
            } while (line.length() > 3 && line.charAt(3) == '-');
            if (!line.startsWith(code)) {
                throw new IOException("expected " + code + ", got " + line);
            }
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b == '\n') {
                    int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1
                            : line.length();
                    return line.substring(0, end);
                }
                line.append((char) b);
            }
            throw new IOException("connection closed");
        }

        void close() {
            try {
                write("QUIT\r\n");
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread thread : threads) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
