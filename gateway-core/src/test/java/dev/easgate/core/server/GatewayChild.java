package dev.easgate.core.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A gateway JVM started by a test ({@link CrashPointGatewayMain} on the test's own class path), killed with SIGKILL
 * ({@link Process#destroyForcibly()} on Linux) or at the latest on close. Its output is kept for failure messages.
 */
final class GatewayChild implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Process process;
    private final BlockingQueue<String> markers = new LinkedBlockingQueue<>();
    private final List<String> output = new ArrayList<>();
    private final int port;

    private GatewayChild(Process process) throws InterruptedException {
        this.process = process;
        Thread reader = new Thread(this::read, "gateway-child-output");
        reader.setDaemon(true);
        reader.start();
        String ready = await("READY", STARTUP);
        this.port = Integer.parseInt(ready.substring("READY ".length()));
    }

    /** Starts a gateway with these {@code --key=value} options and waits until it listens. */
    static GatewayChild start(List<String> options) throws IOException, InterruptedException {
        return start(options, 0);
    }

    /** The same with at most {@code openFileLimit} open files ({@code ulimit -n}) when it is above 0. */
    static GatewayChild start(List<String> options, int openFileLimit) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (openFileLimit > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + openFileLimit + " && exec \"$@\"", "bash"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), CrashPointGatewayMain.class.getName()));
        command.addAll(options);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            return new GatewayChild(process);
        } catch (RuntimeException | InterruptedException e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw e;
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Arms the hold of the next answer-carrying collection write, once it is stored. */
    void arm() throws IOException, InterruptedException {
        arm("ARM");
    }

    /** Arms a hold: ARM, ARM BEFORE or ARM PROVISIONED (see {@link CrashPointGatewayMain}). */
    void arm(String hold) throws IOException, InterruptedException {
        OutputStream in = process.getOutputStream();
        in.write((hold + "\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
        await("ARMED", Duration.ofSeconds(10));
    }

    /** The next line starting with {@code prefix}, failing after {@code limit}. */
    String await(String prefix, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = markers.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("the gateway child did not print " + prefix + " within " + limit
                        + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
                        + "; its output:\n" + output());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** SIGKILL: no shutdown hook, no drain, no close of the state store; waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the gateway child survived SIGKILL");
        }
    }

    /** Waits until a line of its output contains {@code fragment}; fails after {@code limit}. */
    String awaitOutput(String fragment, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            synchronized (this) {
                for (String line : output) {
                    if (line.contains(fragment)) {
                        return line;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gateway child did not print '" + fragment + "' within " + limit
                        + "; its output:\n" + output());
            }
            Thread.sleep(50);
        }
    }

    /** How many lines of its output so far contain {@code fragment}. */
    synchronized long printed(String fragment) {
        return output.stream().filter(line -> line.contains(fragment)).count();
    }

    synchronized String output() {
        return String.join("\n", output.subList(Math.max(0, output.size() - 80), output.size()));
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                synchronized (this) {
                    output.add(line);
                }
                if (line.startsWith("READY ") || line.startsWith("ARMED") || line.startsWith("HELD ")) {
                    markers.add(line);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
