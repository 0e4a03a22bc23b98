package dev.easgate.bench.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every process this run started, stopped in reverse order by {@link #stopAll()} (from a finally block and from a
 * shutdown hook, so Ctrl-C stops them too): SIGTERM, a few seconds' grace, then SIGKILL.
 */
public final class StartedProcesses {
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::stopAll, "eas-bench-cleanup");

    public StartedProcesses() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public synchronized Process add(Process process) {
        processes.add(process);
        return process;
    }

    public synchronized void stopAll() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).destroy();
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process process = processes.get(i);
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    /** Stops everything and removes the shutdown hook (when not already shutting down). */
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run
        }
    }
}
