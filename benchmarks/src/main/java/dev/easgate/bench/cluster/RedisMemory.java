package dev.easgate.bench.cluster;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * What the Redis server the bench started holds: {@code used_memory} from {@code INFO memory} (the allocator's
 * bytes for keys, values, client buffers and pub/sub channels), read in raw RESP over one short connection, so the
 * report can say what a device costs Redis (its state keys, and, while parked, its user's subscription).
 */
public final class RedisMemory {
    private RedisMemory() {
    }

    /** {@code used_memory} in bytes, or -1 when Redis cannot be asked. */
    public static long usedMemory(int port) {
        if (port <= 0) {
            return -1;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return usedMemory(bulkReply(new BufferedInputStream(socket.getInputStream())));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long usedMemory(String info) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        return -1;
    }

    private static String bulkReply(InputStream in) throws IOException {
        String header = line(in);
        if (!header.startsWith("$")) {
            throw new IOException("unexpected INFO reply: " + header);
        }
        int length = Integer.parseInt(header.substring(1));
        byte[] body = in.readNBytes(length);
        return new String(body, StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
