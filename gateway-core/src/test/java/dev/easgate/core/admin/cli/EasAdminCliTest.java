package dev.easgate.core.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.admin.Json;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** eas-admin against a running gateway: every device action, tables and --json, errors and exit codes. */
class EasAdminCliTest {
    private static final String TOKEN = "cli-token-42";
    private static GatewayTestServer server;
    private static String url;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("admin.port", "0", "admin.token", TOKEN));
        url = "http://127.0.0.1:" + server.gateway().adminPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Run(int status, String out, String err) {
    }

    private static Run admin(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 4];
        full[0] = "--url";
        full[1] = url;
        full[2] = "--token";
        full[3] = TOKEN;
        System.arraycopy(args, 0, full, 4, args.length);
        int status = EasAdmin.run(full, new PrintWriter(out), new PrintWriter(err));
        return new Run(status, out.toString(), err.toString());
    }

    private static EasTestClient provisioned(String user, String device) {
        EasTestClient phone = server.client(user, device).deviceType("iPhone").userAgent("Apple-iPhone9C1/1402.5");
        phone.provision();
        phone.post("FolderSync", WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0")
                .build());
        return phone;
    }

    @Test
    void listsDevicesAsATableAndAsJson() {
        provisioned("alice", "cli-1");
        Run table = admin("devices", "list", "--user", "alice");
        assertThat(table.status()).isZero();
        String[] lines = table.out().split("\n");
        assertThat(lines[0]).startsWith("DEVICE").contains("TYPE", "MODEL", "OS", "USER-AGENT", "EAS", "LAST-SYNC",
                "LAST-PING", "POLICY", "WIPE", "BLOCKED");
        assertThat(table.out()).contains("cli-1", "iPhone", "Apple-iPhone9C1/1402.5", "16.1", "provisioned", "none");

        Run json = admin("--json", "devices", "list", "--user", "alice");
        assertThat(json.status()).isZero();
        assertThat(Json.parseObject(json.out()).get("devices")).asList().isNotEmpty();
    }

    @Test
    void wipeThenTheAcknowledgementShows() {
        EasTestClient phone = provisioned("bob", "cli-wipe");
        Run wipe = admin("devices", "wipe", "--user", "bob", "--device", "cli-wipe");
        assertThat(wipe.status()).isZero();
        assertThat(wipe.out()).contains("wipe: wipe-requested");
        phone.post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision").build());
        phone.post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("RemoteWipe", w -> w.child("Status", "1")).build());
        assertThat(admin("devices", "list", "--user", "bob").out()).contains("wipe-acknowledged");
    }

    @Test
    void accountWipeResyncBlockUnblockAndRemove() {
        provisioned("demo", "cli-2");
        assertThat(admin("devices", "account-wipe", "--user", "demo", "--device", "cli-2").out())
                .contains("account-wipe-requested");
        assertThat(admin("devices", "resync", "--user", "demo", "--device", "cli-2", "--folder", "1").out())
                .contains("resync: 1");
        assertThat(admin("devices", "resync", "--user", "demo", "--device", "cli-2").out()).contains("resync: all");
        assertThat(admin("devices", "block", "--user", "demo", "--device", "cli-2").status()).isZero();
        assertThat(admin("devices", "list", "--user", "demo").out()).contains("device demo/cli-2");
        assertThat(admin("devices", "unblock", "--user", "demo", "--device", "cli-2").status()).isZero();
        assertThat(admin("devices", "remove", "--user", "demo", "--device", "cli-2").status()).isZero();
        assertThat(admin("devices", "list", "--user", "demo").out()).doesNotContain("cli-2");
    }

    @Test
    void blocksByTypeAndAgentAndDebugSwitches() {
        assertThat(admin("blocks", "add", "--device-type", "OddPhone").status()).isZero();
        assertThat(admin("blocks", "add", "--user-agent", "Odd/").status()).isZero();
        Run list = admin("blocks", "list");
        assertThat(list.out()).contains("KIND", "device-type", "OddPhone", "user-agent", "Odd/");
        assertThat(admin("blocks", "remove", "--device-type", "OddPhone").status()).isZero();
        assertThat(admin("blocks", "remove", "--user-agent", "Odd/").status()).isZero();
        assertThat(admin("blocks", "list").out()).doesNotContain("Odd");

        assertThat(admin("debug", "on", "--user", "demo", "--device", "x1").status()).isZero();
        assertThat(admin("debug", "list").out()).contains("demo", "x1", "false");
        assertThat(admin("debug", "off", "--user", "demo", "--device", "x1").status()).isZero();
    }

    @Test
    void errorsAndExitCodes() {
        Run missing = admin("devices", "wipe", "--user", "demo", "--device", "no-such");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("HTTP 404", "no device");

        StringWriter err = new StringWriter();
        int status = EasAdmin.run(new String[] {"--url", url, "--token", "wrong", "devices", "list", "--user", "x"},
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("HTTP 401");

        StringWriter err2 = new StringWriter();
        assertThat(EasAdmin.run(new String[] {"--url", "http://127.0.0.1:1", "--token", "t", "blocks", "list"},
                new PrintWriter(new StringWriter()), new PrintWriter(err2))).isEqualTo(2);
        assertThat(err2.toString()).contains("cannot reach");

        assertThat(admin("devices", "wipe", "--user", "demo").status()).isEqualTo(2); // --device missing
    }

    @Test
    void theLauncherRunsTheCli() throws Exception {
        Path launcher = Path.of("..", "bin", "eas-admin").toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--url", url, "devices", "list", "--user",
                "nobody").redirectErrorStream(true);
        builder.environment().put("EAS_ADMIN_CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("EASGATE_ADMIN_TOKEN", TOKEN);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(List.of(output.split("\n"))).first().asString().startsWith("DEVICE");
    }

    /** A command line as typed, nothing added. */
    private static Run raw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = EasAdmin.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void commonOptionsMayStandAnywhereAfterTheCommandName() {
        provisioned("alice", "cli-anywhere");
        List<Run> runs = List.of(
                raw("devices", "list", "--user", "alice", "--json", "--url", url, "--token", TOKEN),
                raw("devices", "--json", "list", "--user", "alice", "--url", url, "--token", TOKEN),
                raw("--json", "devices", "--url", url, "list", "--token", TOKEN, "--user", "alice"),
                raw("--url", url, "--token", TOKEN, "--json", "devices", "list", "--user", "alice"));
        for (Run run : runs) {
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(Json.parseObject(run.out()).get("devices")).asList().isNotEmpty();
        }
        // an option given before the command is not reset by the subcommand's defaults
        Run table = raw("--url", url, "devices", "list", "--token", TOKEN, "--user", "alice");
        assertThat(table.status()).as(table.err()).isZero();
        assertThat(table.out()).startsWith("DEVICE").contains("cli-anywhere");

        Run blocks = raw("blocks", "list", "--url", url, "--token", TOKEN, "--json");
        assertThat(blocks.status()).as(blocks.err()).isZero();
        assertThat(Json.parseObject(blocks.out())).containsKey("blocks");
        Run debug = raw("debug", "list", "--json", "--token", TOKEN, "--url", url);
        assertThat(debug.status()).as(debug.err()).isZero();
        assertThat(Json.parseObject(debug.out())).containsKey("debug");
    }

    @Test
    void everyCommandAndSubcommandHasHelpWithTheExitCodes() {
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new EasAdmin()), List.of(), paths);
        assertThat(paths).hasSizeGreaterThan(15); // the root, 3 groups, their subcommands
        for (List<String> path : paths) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                Run help = raw(args.toArray(String[]::new));
                assertThat(help.status()).as("%s: %s", args, help.err()).isZero();
                assertThat(help.out()).as("%s", args)
                        .contains("Usage: " + String.join(" ", prepend("eas-admin", path)))
                        .contains("--url", "--token", "--json", "Exit codes:", "0   done", "1   the gateway refused",
                                "2   bad usage");
            }
        }
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        paths.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) {
                return;
            }
            collect(sub, prepend(path, name), paths);
        });
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> out = new ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return out;
    }

    private static List<String> prepend(List<String> path, String last) {
        List<String> out = new ArrayList<>(path);
        out.add(last);
        return out;
    }

    @Test
    void exitCodesOfEachKindOfFailure() {
        Run unknown = raw("devices", "list", "--user", "alice", "--colour");
        assertThat(unknown.status()).isEqualTo(EasAdmin.USAGE).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--colour'");
        assertThat(raw("devices", "--url", url, "--token", TOKEN).status()).as("no subcommand").isEqualTo(2);
        assertThat(raw("devices", "list", "--user", "alice", "--url", url).status()).as("no token").isEqualTo(2);
        Run unreachable = raw("devices", "list", "--user", "a", "--url", "http://127.0.0.1:1", "--token", "t");
        assertThat(unreachable.status()).isEqualTo(2);
        assertThat(unreachable.err()).contains("cannot reach");
        Run refused = raw("devices", "list", "--user", "a", "--url", url, "--token", "wrong");
        assertThat(refused.status()).isEqualTo(EasAdmin.REFUSED).isEqualTo(1);
        assertThat(refused.err()).contains("HTTP 401");
        assertThat(raw("blocks", "list", "--url", url, "--token", TOKEN).status()).isEqualTo(EasAdmin.DONE).isZero();
    }
}
