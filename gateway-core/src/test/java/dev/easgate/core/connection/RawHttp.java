package dev.easgate.core.connection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A plain socket to the gateway, for tests that need to control every byte and its timing. */
final class RawHttp implements AutoCloseable {
    final Socket socket;

    private RawHttp(Socket socket) {
        this.socket = socket;
    }

    static RawHttp connect(URI base) throws IOException {
        return connect(base, 0);
    }

    /** With {@code receiveBuffer} > 0, a small receive window: the gateway can only send as fast as the test reads. */
    static RawHttp connect(URI base, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        return new RawHttp(socket);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void write(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /**
     * Waits until the gateway closes the connection, reading (and returning) whatever it sends before; fails if it is
     * still open after {@code limitMillis}.
     */
    byte[] awaitClose(long limitMillis) throws IOException {
        long deadline = System.currentTimeMillis() + limitMillis;
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("the connection is still open after " + limitMillis + " ms");
            }
            socket.setSoTimeout((int) left);
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return seen.toByteArray();
                }
                seen.write(buffer, 0, n);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection is still open after " + limitMillis + " ms");
            } catch (SocketException e) {
                return seen.toByteArray(); // reset: closed as well
            }
        }
    }

    /** Whether the gateway has closed the connection (waits at most {@code millis} for a sign). */
    boolean closedWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    /** Reads one response head (status line and headers) and returns it. */
    String readHead(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed after " + head.size() + " bytes of a response head: " + head);
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
