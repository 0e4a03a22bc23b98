package dev.easgate.core.heartbeat;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The phones of {@link ParkedPingFootprintTest}, run as a process of their own so that their sockets and buffers
 * are not in the heap the test measures: one loopback connection per request of the file (each a length and the raw
 * HTTP request bytes), each request written once and its answer never read. Prints {@code sent N} once every request
 * is written, then holds the connections until a line {@code close} (or the end of its input) and closes them all.
 *
 * <p>Usage: {@code ParkingPhones HOST PORT REQUEST_FILE}. Only the JDK on its class path.
 */
public final class ParkingPhones {
    private ParkingPhones() {
    }

    /**
     * Starts the phones' process against the node's loopback port with the requests of the file, and returns it once
     * it has written all {@code count} of them (destroyed, with an error, when it does not).
     */
    public static Process start(int port, Path requests, int count) throws IOException, URISyntaxException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(ParkingPhones.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Process process = new ProcessBuilder(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classes, ParkingPhones.class.getName(), "127.0.0.1", Integer.toString(port),
                requests.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if (line == null || !line.equals("sent " + count)) {
            process.destroyForcibly();
            throw new AssertionError("the phones did not send their Pings: " + line);
        }
        return process;
    }

    public static void main(String[] args) throws IOException {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        List<byte[]> requests = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(Path.of(args[2])))) {
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                byte[] request = new byte[in.readInt()];
                in.readFully(request);
                requests.add(request);
            }
        }
        List<Socket> sockets = new ArrayList<>(requests.size());
        try {
            for (byte[] request : requests) {
                Socket socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), 10_000);
                sockets.add(socket);
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
            }
            System.out.println("sent " + sockets.size());
            System.out.flush();
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            do {
                line = commands.readLine();
            } while (line != null && !line.equals("close"));
        } finally {
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing the rest matters more
                }
            }
        }
        System.out.println("closed");
        System.out.flush();
    }
}
