package dev.easgate.core.startup;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A blocking line-oriented TCP connection for the probes of text protocols (IMAP, SMTP, Redis): every connect and
 * read is bounded by the probe's deadline; lines are read as ASCII up to 8 KB.
 */
final class LineConnection implements AutoCloseable {
    private static final int MAX_LINE = 8192;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final long deadline;

    private LineConnection(Socket socket, long deadline) throws IOException {
        this.socket = socket;
        this.deadline = deadline;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code host:port}, with TLS (the JVM's trust, host name checked) when {@code tls}. */
    static LineConnection open(String host, int port, boolean tls, long deadline) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), remainingMillis(deadline));
            if (tls) {
                SSLSocket secure = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(socket, host, port, true);
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                secure.setSoTimeout(remainingMillis(deadline));
                secure.startHandshake();
                socket = secure;
            }
            return new LineConnection(socket, deadline);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The next line without its CR LF. */
    String readLine() throws IOException {
        socket.setSoTimeout(remainingMillis(deadline));
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(line.size() == 0 ? "closed the connection"
                        : "closed the connection in the middle of a line");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("a line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    void writeLine(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(left, Integer.MAX_VALUE);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a probe's socket: nothing to do about it
        }
    }
}
