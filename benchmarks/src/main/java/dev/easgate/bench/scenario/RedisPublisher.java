package dev.easgate.bench.scenario;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PUBLISH over one Redis connection in raw RESP (no client library): commands are written by the caller's thread
 * and flushed at once; a reader thread consumes the integer replies and counts those that reached no subscriber.
 */
public final class RedisPublisher implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong unheard = new AtomicLong();
    private final Thread reader;

    public RedisPublisher(String host, int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5000);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
        reader = new Thread(() -> readReplies(in), "redis-publish-replies");
        reader.setDaemon(true);
        reader.start();
    }

    /** The command {@code PUBLISH channel message} in RESP. */
    public static byte[] publishCommand(String channel, String message) {
        StringBuilder resp = new StringBuilder(64 + channel.length() + message.length());
        resp.append("*3\r\n");
        for (String part : new String[] {"PUBLISH", channel, message}) {
            resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part)
                    .append("\r\n");
        }
        return resp.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The change channel of a user as documented for the Redis change bus: {@code easgate:{<user>}:changes}. */
    public static String changeChannel(String user) {
        return "easgate:{" + user + "}:changes";
    }

    /** The smallest folder-change payload, with the publication time for the gateway's wake latency metric. */
    public static String folderChanged(String folderId, long epochMillis) {
        return "{\"t\":\"folder\",\"f\":\"" + folderId.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"at\":"
                + epochMillis + "}";
    }

    public synchronized void publish(String channel, String message) throws IOException {
        out.write(publishCommand(channel, message));
        out.flush();
    }

    /** PUBLISH replies received so far. */
    public long replies() {
        return replies.get();
    }

    /** PUBLISH replies that said no client was subscribed (e.g. a gateway without the Redis bus). */
    public long unheard() {
        return unheard.get();
    }

    private void readReplies(InputStream in) {
        try {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b == '\n') {
                    if (line.length() > 0 && line.charAt(0) == ':') {
                        replies.incrementAndGet();
                        if (line.toString().strip().equals(":0")) {
                            unheard.incrementAndGet();
                        }
                    }
                    line.setLength(0);
                } else {
                    line.append((char) b);
                }
            }
        } catch (IOException closed) {
            // the connection was closed
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
