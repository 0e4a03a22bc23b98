package dev.easgate.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.testing.GatewayTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** README's MS-ASCMD conformance matrix agrees with what OPTIONS advertises, and names existing tests. */
class ConformanceMatrixTest {

    record Row(String command, List<String> cells, String provenBy) {
    }

    static Map<String, Row> matrix() throws IOException {
        Path readme = Path.of("..", "README.md");
        if (!Files.exists(readme)) {
            readme = Path.of("README.md");
        }
        String text = Files.readString(readme);
        int start = text.indexOf("<!-- conformance-matrix:start -->");
        int end = text.indexOf("<!-- conformance-matrix:end -->");
        assertThat(start).as("README has the conformance matrix markers").isPositive();
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : text.substring(start, end).split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| command") || line.startsWith("|---")) {
                continue;
            }
            String[] cells = Arrays.stream(line.split("\\|")).map(String::strip).toArray(String[]::new);
            // "", command, 7 versions, proven by
            assertThat(cells).as(line).hasSize(10);
            rows.put(cells[1], new Row(cells[1], List.of(cells).subList(2, 9), cells[9]));
        }
        return rows;
    }

    @Test
    void everyMsAscmdCommandHasARowForEveryVersion() throws IOException {
        Map<String, Row> rows = matrix();
        Set<String> expected = new TreeSet<>(Arrays.stream(EasCommand.values()).map(EasCommand::wireName).toList());
        expected.add("Autodiscover");
        assertThat(new TreeSet<>(rows.keySet())).isEqualTo(expected);
        for (Row row : rows.values()) {
            assertThat(row.cells()).as(row.command()).allMatch(c -> c.equals("yes") || c.equals("no")
                    || c.equals("—"));
        }
    }

    @Test
    void optionsAdvertisesExactlyTheImplementedCommandsAndEachHasItsTest() throws Exception {
        Map<String, Row> rows = matrix();
        Set<String> implemented = rows.values().stream().filter(r -> r.cells().contains("yes"))
                .map(Row::command).collect(Collectors.toCollection(TreeSet::new));
        try (GatewayTestServer server = GatewayTestServer.start()) {
            String header = server.client("demo", "matrix").options().header("MS-ASProtocolCommands");
            assertThat(new TreeSet<>(List.of(header.split(",")))).isEqualTo(implemented);
        }
        List<String> missing = new ArrayList<>();
        for (Row row : rows.values()) {
            if (!row.cells().contains("yes")) {
                continue;
            }
            if (!testClassExists(row.provenBy())) {
                missing.add(row.command() + " -> " + row.provenBy());
            }
        }
        assertThat(missing).as("test classes named in the matrix").isEmpty();
    }

    private static boolean testClassExists(String simpleName) throws IOException {
        Path root = Path.of("src", "test", "java");
        try (var files = Files.walk(root)) {
            return files.anyMatch(p -> p.getFileName().toString().equals(simpleName + ".java"));
        }
    }
}
