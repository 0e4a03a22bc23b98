package dev.easgate.bench.scenario;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Entry point of a generator process started by the orchestrator: {@code WorkerMain --key=value ...}. */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        WorkerSettings settings = WorkerSettings.fromArgs(args);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int code = new Worker(settings, in, out).run();
        System.exit(code);
    }
}
