package dev.easgate.bench.imap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and parent of a local process from {@code /proc/<pid>/stat} (Linux, 100 clock ticks a second). */
final class ProcStat {
    static final double TICKS_PER_SECOND = 100.0;

    private ProcStat() {
    }

    /** utime + stime (+ cutime + cstime, the reaped children's, when asked) in ticks; 0 when gone. */
    static long ticks(long pid, boolean withChildren) {
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
    static long parent(long pid) {
        String[] fields = fields(pid);
        return fields == null ? -1 : Long.parseLong(fields[1]);
    }

    /** The command name ({@code comm}, e.g. {@code imap}, {@code imap-login}), or "?" when gone. */
    static String name(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The fields after the command name (which may hold spaces): state, ppid, ... (field 3 of proc(5) first). */
    private static String[] fields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
