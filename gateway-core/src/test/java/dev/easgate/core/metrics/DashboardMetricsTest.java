package dev.easgate.core.metrics;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every metric the shipped Grafana dashboard and Prometheus alert rules query (easgate_*, and the JVM's) is in the
 * gateway's /metrics output after a small flow, under the name the expression uses (Prometheus suffixes _total,
 * _bucket, _count, _sum, _max of the metric family), and every label an expression selects or groups by is one the
 * metric has.
 */
class DashboardMetricsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern NAME = Pattern.compile("\\b((?:easgate|jvm|process)_[a-zA-Z0-9_]+)\\b");
    private static final Pattern SELECTOR = Pattern.compile("\\b((?:easgate|jvm|process)_[a-zA-Z0-9_]+)\\{([^}]*)}");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
    private static final Pattern BY = Pattern.compile(
            "by\\s*\\(([^)]*)\\)\\s*\\(\\s*(?:rate\\(|increase\\()?((?:easgate|jvm|process)_[a-zA-Z0-9_]+)");
    private static final List<String> SUFFIXES = List.of("", "_total", "_bucket", "_count", "_sum", "_max",
            "_created");
    /** Labels Prometheus adds when scraping, and the histogram bucket bound. */
    private static final Set<String> SCRAPE_LABELS = Set.of("instance", "job", "le");

    @Test
    void everyMetricAndLabelTheDashboardAndAlertsUseIsExposed() throws Exception {
        String exposition;
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("heartbeat.min", "1",
                "login.delay-after", "1"))) {
            flow(server);
            exposition = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        Map<String, Set<String>> exposed = samples(exposition);

        String dashboard = Files.readString(ROOT.resolve("packaging/grafana-dashboard.json"), StandardCharsets.UTF_8);
        String alerts = Files.readString(ROOT.resolve("packaging/prometheus-alerts.yml"), StandardCharsets.UTF_8);
        List<String> expressions = expressions(dashboard, alerts);
        assertThat(expressions).as("expressions found").hasSizeGreaterThan(5);

        Set<String> used = new TreeSet<>();
        for (String expression : expressions) {
            Matcher name = NAME.matcher(expression);
            while (name.find()) {
                used.add(name.group(1));
            }
        }
        assertThat(used).as("metric names in the dashboard and alerts").anyMatch(n -> n.startsWith("easgate_"));
        for (String metric : used) {
            assertThat(exposed).as("/metrics has %s (from the dashboard or the alert rules)", metric)
                    .containsKey(metric);
        }
        for (String expression : expressions) {
            Matcher selector = SELECTOR.matcher(expression);
            while (selector.find()) {
                Matcher label = MATCHER_LABEL.matcher(selector.group(2));
                while (label.find()) {
                    assertLabel(exposed, selector.group(1), label.group(1), expression);
                }
            }
            Matcher by = BY.matcher(expression);
            while (by.find()) {
                for (String label : by.group(1).split(",")) {
                    if (!label.isBlank()) {
                        assertLabel(exposed, by.group(2), label.strip(), expression);
                    }
                }
            }
        }
    }

    private static void assertLabel(Map<String, Set<String>> exposed, String metric, String label,
                                    String expression) {
        if (SCRAPE_LABELS.contains(label)) {
            return;
        }
        assertThat(exposed.getOrDefault(metric, Set.of())).as("label %s of %s in: %s", label, metric, expression)
                .contains(label);
    }

    /** The PromQL expressions: Grafana targets' "expr" and the alert rules' expr (one line or a block). */
    static List<String> expressions(String dashboard, String alerts) {
        List<String> out = new java.util.ArrayList<>();
        Matcher json = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
        while (json.find()) {
            out.add(json.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        String[] lines = alerts.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int at = line.indexOf("expr:");
            if (at < 0) {
                continue;
            }
            String rest = line.substring(at + 5).strip();
            if (!rest.equals("|") && !rest.equals(">")) {
                out.add(rest);
                continue;
            }
            int indent = line.indexOf("expr:");
            StringBuilder block = new StringBuilder();
            while (i + 1 < lines.length && (lines[i + 1].isBlank()
                    || lines[i + 1].length() - lines[i + 1].stripLeading().length() > indent)) {
                block.append(lines[++i].strip()).append(' ');
            }
            out.add(block.toString().strip());
        }
        return out;
    }

    /** Each sample name of the exposition (and its family's suffixed names) with the label names it carries. */
    static Map<String, Set<String>> samples(String exposition) {
        Map<String, Set<String>> out = new HashMap<>();
        Map<String, String> families = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                families.put(parts[2], parts[3]);
                continue;
            }
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int end = brace >= 0 && brace < space ? brace : space;
            String name = line.substring(0, end);
            Set<String> labels = out.computeIfAbsent(name, n -> new HashSet<>());
            if (end == brace) {
                Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(
                        line.substring(brace, line.lastIndexOf('}') + 1));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
        }
        // a family is known under its suffixed names (counter_total, histogram_bucket/_count/_sum)
        for (String family : families.keySet()) {
            for (String suffix : SUFFIXES) {
                String base = family.endsWith("_total") ? family.substring(0, family.length() - 6) : family;
                if (out.containsKey(base + suffix)) {
                    out.computeIfAbsent(family, f -> new HashSet<>()).addAll(out.get(base + suffix));
                }
            }
        }
        return out;
    }

    /** Requests of several commands, a parked Ping woken by a change, failed and delayed logins. */
    private static void flow(GatewayTestServer server) throws Exception {
        EasTestClient phone = server.client("alice", "metrics-phone");
        EasTestClient tablet = server.client("alice", "metrics-tablet");
        assertThat(phone.provision().status()).isEqualTo(200);
        assertThat(tablet.provision().status()).isEqualTo(200);
        WbxmlElement folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build()).body();
        String inbox = null;
        for (WbxmlElement add : folders.child("Changes").children("Add")) {
            if ("2".equals(add.childText("Type"))) {
                inbox = add.childText("ServerId");
            }
        }
        String folder = inbox;
        server.markSynced("alice", "metrics-phone", folder); // so that the Ping parks rather than answering at once
        CompletableFuture<EasTestClient.Response> parked = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                el(CodePage.PING, "Ping").child("HeartbeatInterval", 300).child("Folders", f -> f.child("Folder",
                        x -> x.child("Id", folder).child("Class", "Email"))).build()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.gateway().services().heartbeat().parked() != 1) {
            assertThat(System.nanoTime()).as("parked").isLessThan(deadline);
            Thread.sleep(5);
        }
        String mime = "To: alice@example.com\r\nSubject: wake\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\nwake up\r\n";
        assertThat(tablet.post("SendMail", el(CodePage.COMPOSE_MAIL, "SendMail").child("ClientId", "m-1")
                .opaque("Mime", mime.getBytes(StandardCharsets.UTF_8)).build()).status()).isEqualTo(200);
        assertThat(parked.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        // two wrong passwords: a failure, then a delayed (refused-for-now) attempt
        EasTestClient wrong = server.client("alice", "wrong", "metrics-phone");
        for (int i = 0; i < 2; i++) {
            assertThat(wrong.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                    .child("SyncKey", "0").build()).status()).isEqualTo(401);
        }
    }
}
