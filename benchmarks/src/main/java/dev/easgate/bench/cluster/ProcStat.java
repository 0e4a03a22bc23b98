package dev.easgate.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** CPU time and parent of a local process from {@code /proc/<pid>/stat} (Linux, 100 clock ticks a second). */
public final class ProcStat {
    public static final double TICKS_PER_SECOND = 100.0;

    private ProcStat() {
    }

    /** CPU seconds (user and system) of the processes so far; 0 for one that is gone. */
    public static double seconds(Collection<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            ticks += ticks(pid, false);
        }
        return ticks / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds of a process's threads so far, by thread group: the thread name ({@code comm}, at most 15
     * characters) without its trailing number, e.g. {@code reactor-http-epoll}, {@code GC Thread}, {@code G1 Conc},
     * {@code C2 CompilerThre}. Threads that ended since are not counted (their time is in the process's total).
     */
    public static Map<String, Double> threadSeconds(long pid) {
        Map<String, Double> groups = new TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            threads.forEach(thread -> {
                long tid = Long.parseLong(thread.getFileName().toString());
                String[] fields = fields(pid + "/task/" + tid);
                if (fields != null) {
                    double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
                    groups.merge(threadGroup(name(pid + "/task/" + tid)), seconds, Double::sum);
                }
            });
        } catch (IOException | RuntimeException gone) {
            // the process ended: what was read so far
        }
        return groups;
    }

    /** A thread's name without its number: {@code reactor-http-epoll-3} and {@code GC Thread#1} are one group each. */
    static String threadGroup(String name) {
        return name.replaceFirst("[-#]?[0-9]+$", "");
    }

    /** utime + stime (+ cutime + cstime, the reaped children's, when asked) in ticks; 0 when gone. */
    public static long ticks(long pid, boolean withChildren) {
        String[] fields = fields(pid);
        if (fields == null) {
            return 0;
        }
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        if (withChildren) {
            ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
        }
        return ticks;
    }

    /** The parent's pid, or -1. */
    public static long parent(long pid) {
        String[] fields = fields(pid);
        return fields == null ? -1 : Long.parseLong(fields[1]);
    }

    /** The command name ({@code comm}, e.g. {@code imap}, {@code imap-login}), or "?" when gone. */
    public static String name(long pid) {
        return name(Long.toString(pid));
    }

    private static String name(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid, "comm")).strip();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The fields after the command name (which may hold spaces): state, ppid, ... (field 3 of proc(5) first). */
    private static String[] fields(long pid) {
        return fields(Long.toString(pid));
    }

    private static String[] fields(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
