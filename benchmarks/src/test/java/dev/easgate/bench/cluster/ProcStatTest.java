package dev.easgate.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcStatTest {
    @Test
    void threadsAreGroupedByNameWithoutTheirNumber() {
        assertThat(ProcStat.threadGroup("reactor-http-epoll-3")).isEqualTo("reactor-http-epoll");
        assertThat(ProcStat.threadGroup("GC Thread#1")).isEqualTo("GC Thread");
        assertThat(ProcStat.threadGroup("C2 CompilerThre")).isEqualTo("C2 CompilerThre");
        assertThat(ProcStat.threadGroup("java")).isEqualTo("java");
    }

    @Test
    void theThreadsOfAProcessAddUpToAtMostItsCpuTime() {
        long pid = ProcessHandle.current().pid();
        long sum = 0;
        for (int i = 0; i < 20_000_000; i++) {
            sum += Long.numberOfTrailingZeros(i * 31L + sum); // some CPU time of this thread
        }
        Map<String, Double> threads = ProcStat.threadSeconds(pid);
        double process = ProcStat.seconds(List.of(pid));

        assertThat(sum).isPositive();
        assertThat(threads).isNotEmpty();
        assertThat(threads.values()).allMatch(seconds -> seconds >= 0);
        assertThat(threads.values().stream().mapToDouble(Double::doubleValue).sum()).isLessThanOrEqualTo(process
                + 0.05);
        assertThat(ProcStat.seconds(List.of(Long.MAX_VALUE))).isZero(); // no such process
    }
}
