package dev.easgate.bench.cluster;

import dev.easgate.bench.scenario.Worker;
import dev.easgate.bench.scenario.WorkerSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A generator worker seen from the orchestrator: commands go to its input, its output lines come to a callback.
 * Normally a forked JVM ({@link #fork}); in tests a thread in this JVM ({@link #inThread}).
 */
public final class WorkerHandle {
    private final int number;
    private final Writer commands;
    private final Process process;
    private final Thread thread;

    private WorkerHandle(int number, Writer commands, Process process, Thread thread) {
        this.number = number;
        this.commands = commands;
        this.process = process;
        this.thread = thread;
    }

    /** Starts {@code java <jvmOptions> -cp <classPath> WorkerMain <settings>}; its stderr goes to a log file. */
    public static WorkerHandle fork(int number, WorkerSettings settings, String classPath, List<String> jvmOptions,
                                    Path log, StartedProcesses started, Consumer<String> lines) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(LocalCluster.javaExecutable());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add("dev.easgate.bench.scenario.WorkerMain");
        command.addAll(settings.toArgs());
        Process process = started.add(new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
        pump(number, new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
                lines);
        return new WorkerHandle(number, new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
                process, null);
    }

    /** Runs a worker on a thread of this JVM, connected by pipes (tests). */
    public static WorkerHandle inThread(int number, WorkerSettings settings, Consumer<String> lines)
            throws IOException {
        PipedOutputStream toWorker = new PipedOutputStream();
        PipedInputStream workerInput = new PipedInputStream(toWorker, 4096);
        PipedOutputStream workerOutput = new PipedOutputStream();
        PipedInputStream fromWorker = new PipedInputStream(workerOutput, 64 * 1024);
        PrintStream out = new PrintStream(workerOutput, true, StandardCharsets.UTF_8);
        Thread thread = new Thread(() -> {
            try {
                new Worker(settings, new BufferedReader(new InputStreamReader(workerInput, StandardCharsets.UTF_8)),
                        out).run();
            } catch (Exception e) {
                out.println("FAILED " + e);
            } finally {
                out.close();
            }
        }, "worker-" + number);
        thread.setDaemon(true);
        thread.start();
        pump(number, new BufferedReader(new InputStreamReader(fromWorker, StandardCharsets.UTF_8)), lines);
        return new WorkerHandle(number, new OutputStreamWriter(toWorker, StandardCharsets.UTF_8), null, thread);
    }

    private static void pump(int number, BufferedReader reader, Consumer<String> lines) {
        Thread pump = new Thread(() -> {
            try (reader) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.accept(line);
                }
            } catch (IOException ended) {
                // the worker ended
            }
            lines.accept("EXIT");
        }, "worker-" + number + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    public int number() {
        return number;
    }

    public synchronized void send(String command) {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException e) {
            // the worker is gone; its EXIT line says so
        }
    }

    /** Waits for the worker to end; false when it did not within the limit. */
    public boolean await(long millis) throws InterruptedException {
        if (process != null) {
            return process.waitFor(millis, TimeUnit.MILLISECONDS);
        }
        thread.join(millis);
        return !thread.isAlive();
    }

    public long pid() {
        return process == null ? ProcessHandle.current().pid() : process.pid();
    }
}
