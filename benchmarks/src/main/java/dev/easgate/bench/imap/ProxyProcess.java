package dev.easgate.bench.imap;

import dev.easgate.bench.cluster.LocalCluster;
import dev.easgate.bench.cluster.StartedProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link CountingProxy} in its own JVM (one per gateway node), seen from the bench: its port, and its counts asked
 * over its control port. Registered with {@link StartedProcesses}, which stops it; it also exits when the bench's
 * end of its standard input closes.
 */
final class ProxyProcess {
    private final Process process;
    private final int port;
    private final int controlPort;

    private ProxyProcess(Process process, int port, int controlPort) {
        this.process = process;
        this.port = port;
        this.controlPort = controlPort;
    }

    /** Starts a proxy in front of {@code upstreamPort} with the given class path; {@code log} takes its errors. */
    static ProxyProcess start(StartedProcesses started, int upstreamPort, String classPath, Path log)
            throws IOException {
        Process process = started.add(new ProcessBuilder(List.of(LocalCluster.javaExecutable(), "-Xms32m",
                "-Xmx512m", "-XX:+UseSerialGC", "-cp", classPath, CountingProxy.class.getName(),
                Integer.toString(upstreamPort)))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.US_ASCII));
        String line = out.readLine();
        if (line == null || !line.startsWith("listening ")) {
            process.destroyForcibly();
            throw new IllegalStateException("the IMAP counting proxy did not start (see " + log + "): " + line);
        }
        String[] ports = line.split(" ");
        return new ProxyProcess(process, Integer.parseInt(ports[1]), Integer.parseInt(ports[2]));
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    CountingProxy.Counts counts() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), controlPort)) {
            socket.setSoTimeout(10_000);
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (line == null) {
                throw new IOException("the IMAP counting proxy gave no counts");
            }
            return CountingProxy.Counts.parse(line);
        }
    }
}
