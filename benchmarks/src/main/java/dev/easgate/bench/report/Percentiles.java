package dev.easgate.bench.report;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Latency figures of a histogram recorded in microseconds, in milliseconds for the report. */
public final class Percentiles {
    private Percentiles() {
    }

    /** count, p50_ms, p90_ms, p99_ms, p99_9_ms, max_ms, mean_ms (empty histogram: count 0 and nulls). */
    public static Map<String, Object> summary(Histogram micros) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("count", micros.getTotalCount());
        boolean empty = micros.getTotalCount() == 0;
        figures.put("p50_ms", empty ? null : ms(micros.getValueAtPercentile(50)));
        figures.put("p90_ms", empty ? null : ms(micros.getValueAtPercentile(90)));
        figures.put("p99_ms", empty ? null : ms(micros.getValueAtPercentile(99)));
        figures.put("p99_9_ms", empty ? null : ms(micros.getValueAtPercentile(99.9)));
        figures.put("max_ms", empty ? null : ms(micros.getMaxValue()));
        figures.put("mean_ms", empty ? null : Math.round(micros.getMean()) / 1000.0);
        return figures;
    }

    static double ms(long micros) {
        return Math.round(micros) / 1000.0;
    }

    /** HdrHistogram's percentile distribution text (.hgrm), values in milliseconds. */
    public static String hgrm(Histogram micros) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            micros.outputPercentileDistribution(out, 5, 1000.0);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
