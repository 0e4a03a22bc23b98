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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
}
