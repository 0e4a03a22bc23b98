package dev.easgate.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * A class histogram of the live heap, taken after a full collection (the DiagnosticCommand behind {@code jcmd
 * GC.class_histogram} and {@code jmap -histo:live}), for the footprint tests: compare two of them to learn what a
 * number of devices, Pings or connections keeps, by class.
 *
 * <p>The rows are kept in a temporary file, not in the heap, and read only to compare: a histogram held in maps
 * (a few thousand classes, each a map entry, a name and a count) would be in every later one, about 150 bytes
 * per class, which a test would count as its devices' growth.
 */
public record HeapHistogram(long totalBytes, Path rows) {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    /** Accepted client connections, on either transport Netty may pick (not the listening channels). */
    private static final Predicate<String> CLIENT_CHANNEL =
            name -> name.equals("io.netty.channel.epoll.EpollSocketChannel")
                    || name.equals("io.netty.channel.socket.nio.NioSocketChannel");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

    public static HeapHistogram live() throws JMException {
        // two collections first: objects with finalizers or cleaners need a second one to go
        System.gc();
        System.gc();
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        long total = -1;
        for (String line : text.split("\n")) {
            Matcher sum = TOTAL.matcher(line);
            if (sum.find()) {
                total = Long.parseLong(sum.group(2));
            }
        }
        if (total < 0) {
            throw new IllegalStateException("no total in the class histogram:\n" + text);
        }
        try {
            Path rows = Files.createTempFile("easgate-heap-", ".histo");
            rows.toFile().deleteOnExit();
            Files.writeString(rows, text);
            return new HeapHistogram(total, rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The live heap once the connections the node closed are gone from it: a closed channel is deregistered from
     * its event loop and a cancelled heartbeat leaves the timer wheel a little after the close is counted, so a
     * histogram taken at once can still hold some of them (and everything they reach). Takes histograms until no
     * more than {@code atMost} client channels remain, for up to {@code wait}; the last one otherwise, whose
     * comparison then shows what still holds them.
     */
    public static HeapHistogram liveWithoutClosedConnections(long atMost, Duration wait)
            throws JMException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        HeapHistogram histogram = live();
        int taken = 1;
        while (histogram.instances(CLIENT_CHANNEL) > atMost && System.nanoTime() < deadline) {
            Thread.sleep(200);
            histogram = live();
            taken++;
        }
        if (taken > 1) {
            System.out.printf("heap histogram: %d client channels left after %d histograms%n",
                    histogram.instances(CLIENT_CHANNEL), taken);
        }
        return histogram;
    }

    /** Instances of the classes {@code classes} matches. */
    public long instances(Predicate<String> classes) {
        return byClass().entrySet().stream().filter(e -> classes.test(e.getKey()))
                .mapToLong(e -> e.getValue()[0]).sum();
    }

    /** Instances and bytes by class name. */
    public Map<String, long[]> byClass() {
        Map<String, long[]> byClass = new HashMap<>();
        try {
            for (String line : Files.readAllLines(rows)) {
                Matcher row = ROW.matcher(line);
                if (row.find()) {
                    byClass.merge(row.group(3), new long[] {Long.parseLong(row.group(1)),
                            Long.parseLong(row.group(2))}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byClass;
    }

    /**
     * Bytes per {@code per} grown since {@code before} by whose classes they are: Netty and Reactor Netty (the
     * connection), the gateway's, Reactor's, and the JDK's (strings, arrays, maps: anyone's).
     */
    public String growthByOwner(HeapHistogram before, int per) {
        return growthBy(before, per, name -> name.startsWith("io.netty.") || name.startsWith("reactor.netty.")
                ? "netty" : name.startsWith("dev.easgate.") ? "easgate"
                : name.startsWith("reactor.") ? "reactor" : "jdk");
    }

    /** Bytes per {@code per} grown since {@code before}, summed by the group {@code owner} puts each class in. */
    public String growthBy(HeapHistogram before, int per, Function<String, String> owner) {
        Map<String, long[]> byClass = byClass();
        Map<String, long[]> earlier = before.byClass();
        Map<String, Long> owners = new TreeMap<>();
        byClass.forEach((name, now) -> owners.merge(owner.apply(name),
                now[1] - earlier.getOrDefault(name, new long[2])[1], Long::sum));
        earlier.forEach((name, was) -> {
            if (!byClass.containsKey(name)) {
                owners.merge(owner.apply(name), -was[1], Long::sum);
            }
        });
        return owners.entrySet().stream().filter(e -> e.getValue() / per != 0)
                .map(e -> e.getKey() + " " + e.getValue() / per + " B")
                .collect(Collectors.joining(", "));
    }

    /** The classes that grew most since {@code before}, as instances and bytes per {@code per}. */
    public String growthPerInstance(HeapHistogram before, int per, int rows) {
        Map<String, long[]> earlier = before.byClass();
        return byClass().entrySet().stream()
                .map(e -> {
                    long[] was = earlier.getOrDefault(e.getKey(), new long[2]);
                    return Map.entry(e.getKey(), new long[] {e.getValue()[0] - was[0],
                            e.getValue()[1] - was[1]});
                })
                .filter(e -> e.getValue()[1] > 0)
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                .limit(rows)
                .map(e -> String.format("  %8.2f %7d B  %s", (double) e.getValue()[0] / per,
                        e.getValue()[1] / per, e.getKey()))
                .collect(Collectors.joining("\n"));
    }
}
