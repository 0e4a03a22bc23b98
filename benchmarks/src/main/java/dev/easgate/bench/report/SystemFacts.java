package dev.easgate.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Facts about the machine and the software for the report (Linux /proc; missing facts read as null). */
public final class SystemFacts {
    private SystemFacts() {
    }

    public static String cpuModel() {
        return procLine("/proc/cpuinfo", "model name");
    }

    public static Long memoryTotalBytes() {
        String kb = procLine("/proc/meminfo", "MemTotal");
        return kb == null ? null : Long.parseLong(kb.replace("kB", "").strip()) * 1024;
    }

    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    public static String openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return line.substring("Max open files".length()).strip().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static String procLine(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    public static Map<String, Object> versions(Path root) {
        Map<String, Object> versions = new LinkedHashMap<>();
        versions.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        versions.put("easgate_commit", git(root, "rev-parse", "HEAD"));
        versions.put("easgate_tree_dirty", !String.valueOf(git(root, "status", "--porcelain", "--untracked-files=no"))
                .isBlank());
        io.netty.util.Version netty = io.netty.util.Version.identify().get("netty-common");
        versions.put("netty", netty == null ? null : netty.artifactVersion());
        versions.put("hdrhistogram", org.HdrHistogram.Histogram.class.getPackage().getImplementationVersion());
        return versions;
    }

    private static String git(Path root, String... args) {
        try {
            String[] command = new String[args.length + 3];
            command[0] = "git";
            command[1] = "-C";
            command[2] = root.toString();
            System.arraycopy(args, 0, command, 3, args.length);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes()).strip();
            return process.waitFor(5, TimeUnit.SECONDS) && process.exitValue() == 0 ? output : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
