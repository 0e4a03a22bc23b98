package dev.easgate.bench.cli;

import dev.easgate.bench.scenario.ChangeSource;
import dev.easgate.bench.scenario.Scenario;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The settings of one run, as parsed from the command line (see {@link EasBench} for each one's meaning). */
public record RunOptions(Scenario scenario, int devices, int nodes, double rate, Duration duration, List<URI> urls,
                         String userPrefix, String password, String mailDomain, Path out, int heartbeatSeconds,
                         ChangeSource changes, List<String> lmtpServers, boolean allowRemote, List<Long> gatewayPids,
                         int devicesPerWorker, int sourcesPerWorker, int setupConcurrency, Duration missTimeout,
                         List<String> nodeJvmOptions, List<String> workerJvmOptions, List<String> nodeOptions,
                         Path gatewayJar, Path root, boolean inProcessWorkers, Duration settle,
                         Duration deadline, int storms, Duration wakeWarmUp) {

    /** Whether eas-bench starts the gateway nodes itself (no --url). */
    public boolean startsNodes() {
        return urls.isEmpty();
    }

    public int workers() {
        return Math.max(1, (devices + devicesPerWorker - 1) / devicesPerWorker);
    }
}
