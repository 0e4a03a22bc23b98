package dev.easgate.bench.codec;

import dev.easgate.wbxml.WbxmlEncoder;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link WbxmlCodecBenchmark} with the GC profiler and prints a Markdown table of MB/s (operations per second
 * times the document size, 1 MB = 10^6 bytes) and bytes allocated per operation. Accepts the usual JMH options,
 * e.g. {@code -f 1 -wi 3 -i 5}.
 */
public final class CodecReport {
    private CodecReport() {
    }

    public static void main(String[] args) throws Exception {
        int syncSize = WbxmlEncoder.encode(Documents.syncResponse()).length;
        int pingSize = WbxmlEncoder.encode(Documents.pingRequest()).length;
        Collection<RunResult> results = run(args);

        System.out.printf(Locale.ROOT, "%nsync response %d bytes, ping request %d bytes%n%n", syncSize, pingSize);
        System.out.println("| Benchmark | ops/s | MB/s | B/op |");
        System.out.println("|---|---:|---:|---:|");
        for (RunResult run : results) {
            String name = run.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            Result<?> primary = run.getPrimaryResult();
            int size = name.contains("Ping") ? pingSize : syncSize;
            Map<String, Result> secondary = run.getSecondaryResults();
            Result<?> alloc = secondary.get("gc.alloc.rate.norm");
            System.out.printf(Locale.ROOT, "| %s | %,.0f ± %,.0f | %,.0f ± %,.0f | %s |%n", name,
                    primary.getScore(), primary.getScoreError(),
                    primary.getScore() * size / 1e6, primary.getScoreError() * size / 1e6,
                    alloc == null ? "n/a" : String.format(Locale.ROOT, "%,.0f", alloc.getScore()));
        }
    }

    private static Collection<RunResult> run(String[] args) throws RunnerException {
        CommandLineOptions commandLine;
        try {
            commandLine = new CommandLineOptions(args);
        } catch (Exception e) {
            throw new IllegalArgumentException("bad JMH options: " + e.getMessage(), e);
        }
        OptionsBuilder options = new OptionsBuilder();
        options.parent(commandLine);
        if (commandLine.getIncludes().isEmpty()) {
            options.include(WbxmlCodecBenchmark.class.getSimpleName());
        }
        options.addProfiler(GCProfiler.class);
        return new Runner(options.build()).run();
    }
}
