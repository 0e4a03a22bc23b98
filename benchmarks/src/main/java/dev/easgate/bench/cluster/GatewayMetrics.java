package dev.easgate.bench.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The figures eas-bench reads from an easgate node's {@code GET /metrics} (Prometheus text): heap in use, Ping
 * requests parked. Absent (a foreign server) reads as -1.
 */
public final class GatewayMetrics {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One scrape; {@code allocatedBytes} is what the node's threads allocated since it started (-1: unknown). */
    public record Snapshot(long heapUsedBytes, long parkedPings, long allocatedBytes) {
        public static final Snapshot ABSENT = new Snapshot(-1, -1, -1);

        public boolean present() {
            return parkedPings >= 0;
        }
    }

    private GatewayMetrics() {
    }

    public static Snapshot scrape(URI server) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? parse(response.body()) : Snapshot.ABSENT;
        } catch (java.io.IOException e) {
            return Snapshot.ABSENT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Snapshot.ABSENT;
        }
    }

    /**
     * Sums {@code jvm_memory_used_bytes{area="heap"}}, reads {@code easgate_parked_requests{command="Ping"}} and
     * {@code easgate_jvm_allocated_bytes_total}.
     */
    public static Snapshot parse(String text) {
        double heap = 0;
        boolean heapSeen = false;
        double parked = -1;
        double allocated = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap += value(line);
                heapSeen = true;
            } else if (line.startsWith("easgate_parked_requests{") && line.contains("command=\"Ping\"")) {
                parked = value(line);
            } else if (line.startsWith("easgate_jvm_allocated_bytes_total")) {
                allocated = value(line);
            }
        }
        return new Snapshot(heapSeen ? (long) heap : -1, (long) parked, (long) allocated);
    }

    private static double value(String line) {
        int labels = line.lastIndexOf('}');
        String[] parts = line.substring(labels >= 0 ? labels + 1 : line.indexOf(' ')).strip().split("\\s+");
        return Double.parseDouble(parts[0]);
    }
}
