package dev.easgate.backends.redis;

import dev.easgate.backends.testing.Loopback;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for tests, on a free loopback port, without persistence, in a temporary directory.
 *
 * <p>Shared through the test-jar so that other modules' integration tests can start Redis too:
 * <pre>{@code
 * try (RedisServerProcess redis = RedisServerProcess.start()) {
 *     RedisURI uri = redis.uri();
 *     ...
 *     redis.stop();    // an outage: listeners notice, publishers fail fast
 *     redis.restart(); // the same port again, empty
 * }
 * }</pre>
 * A missing {@code redis-server} fails the test with a clear message (it is never skipped): install the Debian
 * package {@code redis-server} (CI does so through {@code .ci/run}).
 */
public final class RedisServerProcess implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(10);

    private final int port;
    private final Path dir;
    private final List<String> extraArguments;
    private Process process;

    private RedisServerProcess(int port, Path dir, List<String> extraArguments) {
        this.port = port;
        this.dir = dir;
        this.extraArguments = List.copyOf(extraArguments);
    }

    /** Starts a server on a free port. */
    public static RedisServerProcess start() {
        return start(freePort(), List.of());
    }

    /**
     * Starts a server on {@code port} with extra {@code redis-server} arguments (e.g. {@code --cluster-enabled yes}).
     */
    public static RedisServerProcess start(int port, List<String> extraArguments) {
        Path dir;
        try {
            dir = Files.createTempDirectory("easgate-redis-" + port + "-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for redis-server", e);
        }
        RedisServerProcess server = new RedisServerProcess(port, dir, extraArguments);
        try {
            server.launch();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code redis://127.0.0.1:port}. */
    public RedisURI uri() {
        return RedisURI.create("redis://" + host() + ":" + port);
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Kills the server (SIGKILL: an outage, not a clean shutdown), keeping the directory for {@link #restart()}. */
    public void stop() {
        Process current = process;
        process = null;
        if (current != null) {
            current.destroyForcibly();
            try {
                if (!current.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("redis-server on port " + port + " does not die");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts the server again on the same port (empty: nothing is persisted). */
    public void restart() {
        stop();
        launch();
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
        stop();
        deleteDirectory();
    }

    /** Sends one command (inline protocol) and returns the raw reply, for tests' checks without a client. */
    public String command(String... words) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(words.length).append("\r\n");
            for (String word : words) {
                byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(word).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(socket.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException("redis on port " + port + ": " + e, e);
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(executable("redis-server"),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()));
        command.addAll(extraArguments);
        try {
            process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e, e);
        }
        awaitPing();
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited with "
                        + process.exitValue() + ": " + log());
            }
            try {
                if (command("PING").startsWith("+PONG")) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            sleep(20);
        }
        throw new IllegalStateException("redis-server on port " + port + " does not answer PING: " + log());
    }

    private String log() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log) : Files.readString(dir.resolve("stdout.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Reads one RESP reply, rendered as text (arrays line by line). */
    private static String readReply(InputStream in) throws IOException {
        String line = readLine(in);
        char type = line.charAt(0);
        if (type == '$') {
            int length = Integer.parseInt(line.substring(1));
            if (length < 0) {
                return "";
            }
            byte[] body = in.readNBytes(length + 2);
            return new String(body, 0, length, StandardCharsets.UTF_8);
        }
        if (type == '*') {
            int count = Integer.parseInt(line.substring(1));
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < count; i++) {
                all.append(readReply(in)).append('\n');
            }
            return all.toString();
        }
        return line;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                return line.toString();
            }
            line.append((char) c);
        }
        throw new IOException("connection closed");
    }

    private void deleteDirectory() {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: best effort
        }
    }

    /** The path of a Redis tool, or a clear failure when Redis is not installed. */
    static String executable(String name) {
        for (String directory : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(":")) {
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(name + " is not installed: the Redis tests need a real Redis; install the"
                + " Debian package redis-server (apt-get install redis-server), as .ci/run does");
    }

    /** A port free on the loopback interface now. */
    public static int freePort() {
        return Loopback.freePort();
    }

    static void sleep(long millis) {
        Loopback.sleep(millis);
    }
}
