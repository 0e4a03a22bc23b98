package dev.easgate.core.oof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.testing.Loopback;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Out of Office end to end on {@code --backend=imap --sieve.url}: a phone's Settings Oof Set becomes a vacation
 * script on a real Dovecot with Pigeonhole; mail delivered over LMTP from another local user gets an automatic
 * reply in that user's Inbox; Get reads the settings back; OofState 0 stops the replies; a script the user had
 * stays active behind ours and alone again after. ManageSieve down answers Oof Status 4.
 */
class SieveOutOfOfficeGatewayTest {
    private static DovecotProcess dovecot;
    private static GatewayTestServer server;
    private static GatewayTestServer noSieve;
    private static GatewayTestServer memory;
    private static GatewayTestServer withoutSieveUrl;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start(DovecotProcess.Options.DEFAULT.withSieve());
        server = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "sieve.url", dovecot.sieveUrl(), "sieve.timeout-seconds", "5"));
        noSieve = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "sieve.url", "sieve://127.0.0.1:" + Loopback.freePort(),
                "sieve.timeout-seconds", "5"));
        // another backend: the accounts remember the password the phone sent for the ManageSieve login
        memory = GatewayTestServer.start(Map.of("memory.password", DovecotProcess.PASSWORD,
                "memory.domain", DovecotProcess.DOMAIN, "sieve.url", dovecot.sieveUrl()));
        withoutSieveUrl = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, noSieve, memory, withoutSieveUrl, dovecot);
    }

    private static EasTestClient phone(GatewayTestServer gateway, String user) {
        EasTestClient client = gateway.client(user, DovecotProcess.PASSWORD, "OOF" + user).protocolVersion("16.1");
        assertThat(client.provision().status()).isEqualTo(200);
        return client;
    }

    private static WbxmlElement oof(EasTestClient phone, Consumer<WbxmlElement.Builder> body) {
        EasTestClient.Response response = phone.post("Settings", WbxmlElement.el(CodePage.SETTINGS, "Settings")
                .child("Oof", body).build());
        assertThat(response.text("Status")).isEqualTo("1");
        return response.body().child("Oof");
    }

    private static WbxmlElement get(EasTestClient phone) {
        WbxmlElement answer = oof(phone, o -> o.child("Get", g -> g.child("BodyType", "Text")));
        assertThat(answer.childText("Status")).isEqualTo("1");
        return answer.child("Get");
    }

    private static void mail(String from, String to, String subject) {
        String mime = "From: " + from + "@" + DovecotProcess.DOMAIN + "\r\nTo: " + to + "@" + DovecotProcess.DOMAIN
                + "\r\nSubject: " + subject + "\r\n\r\nHello\r\n";
        int before = dovecot.inbox(to).size();
        dovecot.deliver(from + "@" + DovecotProcess.DOMAIN, to, mime.getBytes(StandardCharsets.UTF_8));
        assertThat(dovecot.inbox(to)).as("delivered").hasSize(before + 1);
    }

    /** Automatic replies in {@code user}'s Inbox, waiting up to 10 s for one (2 s when none is expected). */
    private static List<String> replies(String user, boolean expectOne) {
        long deadline = System.nanoTime() + Duration.ofSeconds(expectOne ? 10 : 2).toNanos();
        List<String> replies;
        do {
            replies = dovecot.inbox(user).stream().filter(m -> m.contains("Auto-Submitted: auto-replied")).toList();
            if (expectOne && !replies.isEmpty()) {
                return replies;
            }
            Loopback.sleep(100);
        } while (System.nanoTime() < deadline);
        return replies;
    }

    @Test
    void setRepliesGetReadsBackStateZeroStopsAndTheUsersScriptSurvives() throws Exception {
        String user = dovecot.nextUser();
        // the user's own rule, written before the gateway touches anything: flag every message
        String mine = "require \"imap4flags\";\r\naddflag \"\\\\Flagged\";\r\n";
        manageSieve(user, "PUTSCRIPT \"mine\" {" + mine.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + mine,
                "SETACTIVE \"mine\"");
        EasTestClient phone = phone(server, user);
        assertThat(get(phone).childText("OofState")).isEqualTo("0");

        WbxmlElement set = oof(phone, o -> o.child("Set", s -> s.child("OofState", "1")
                .child("OofMessage", m -> m.empty("AppliesToInternal").child("Enabled", "1")
                        .child("ReplyMessage", "Back on Monday, ask Ann").child("BodyType", "Text"))
                .child("OofMessage", m -> m.empty("AppliesToExternalUnknown").child("Enabled", "1")
                        .child("ReplyMessage", "I am away").child("BodyType", "Text"))));
        assertThat(set.childText("Status")).isEqualTo("1");

        String colleague = dovecot.nextUser();
        mail(colleague, user, "Lunch?");
        List<String> replies = replies(colleague, true);
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0)).contains("Subject: Out of office").contains("Back on Monday, ask Ann")
                .contains("To: <" + colleague + "@" + DovecotProcess.DOMAIN + ">");
        assertThat(flagged(user)).as("the user's own script ran too").isEqualTo(1);

        WbxmlElement got = get(phone);
        assertThat(got.childText("OofState")).isEqualTo("1");
        assertThat(got.children("OofMessage")).hasSize(2);
        assertThat(got.children("OofMessage").get(0).child("AppliesToInternal")).isNotNull();
        assertThat(got.children("OofMessage").get(0).childText("ReplyMessage")).isEqualTo("Back on Monday, ask Ann");
        assertThat(got.children("OofMessage").get(0).childText("Enabled")).isEqualTo("1");
        assertThat(got.children("OofMessage").get(1).childText("ReplyMessage")).isEqualTo("I am away");

        assertThat(oof(phone, o -> o.child("Set", s -> s.child("OofState", "0"))).childText("Status"))
                .isEqualTo("1");
        String another = dovecot.nextUser(); // vacation answers a sender once per :days: a new sender proves "off"
        mail(another, user, "Still there?");
        assertThat(replies(another, false)).isEmpty();
        assertThat(flagged(user)).as("the user's own script is active again").isEqualTo(2);
        WbxmlElement off = get(phone);
        assertThat(off.childText("OofState")).isEqualTo("0");
        assertThat(off.children("OofMessage")).hasSize(2);
        assertThat(manageSieve(user, "LISTSCRIPTS")).contains("\"mine\" ACTIVE").doesNotContain("easgate-oof-main");
    }

    @Test
    void timeBasedSetKeepsItsWindow() {
        String user = dovecot.nextUser();
        EasTestClient phone = phone(server, user);
        oof(phone, o -> o.child("Set", s -> s.child("OofState", "2")
                .child("StartTime", "2020-01-01T00:00:00.000Z").child("EndTime", "2020-01-02T12:30:00.000Z")
                .child("OofMessage", m -> m.empty("AppliesToInternal").child("Enabled", "1")
                        .child("ReplyMessage", "Long ago").child("BodyType", "Text"))));
        WbxmlElement got = get(phone);
        assertThat(got.childText("OofState")).isEqualTo("2");
        assertThat(got.childText("StartTime")).isEqualTo("2020-01-01T00:00:00.000Z");
        assertThat(got.childText("EndTime")).isEqualTo("2020-01-02T12:30:00.000Z");
        String colleague = dovecot.nextUser();
        mail(colleague, user, "After the window");
        assertThat(replies(colleague, false)).as("the window is over").isEmpty();
    }

    @Test
    void anotherBackendLogsInWithThePasswordThePhoneSent() {
        String user = dovecot.nextUser();
        EasTestClient phone = phone(memory, user);
        oof(phone, o -> o.child("Set", s -> s.child("OofState", "1")
                .child("OofMessage", m -> m.empty("AppliesToInternal").child("Enabled", "1")
                        .child("ReplyMessage", "Memory says away").child("BodyType", "Text"))));
        String colleague = dovecot.nextUser();
        mail(colleague, user, "Hi");
        assertThat(replies(colleague, true)).singleElement().asString().contains("Memory says away");
        assertThat(get(phone).childText("OofState")).isEqualTo("1");
    }

    @Test
    void manageSieveDownAnswersServerUnavailable() {
        EasTestClient phone = phone(noSieve, dovecot.nextUser());
        assertThat(oof(phone, o -> o.child("Get", g -> g.child("BodyType", "Text"))).childText("Status"))
                .isEqualTo("4");
        assertThat(oof(phone, o -> o.child("Set", s -> s.child("OofState", "0"))).childText("Status"))
                .isEqualTo("4");
    }

    @Test
    void withoutSieveUrlTheImapBackendAnswersDisabled() throws Exception {
        String user = dovecot.nextUser();
        EasTestClient phone = phone(withoutSieveUrl, user);
        assertThat(oof(phone, o -> o.child("Get", g -> g.child("BodyType", "Text"))).childText("Status"))
                .isEqualTo("7");
        assertThat(oof(phone, o -> o.child("Set", s -> s.child("OofState", "1")
                .child("OofMessage", m -> m.empty("AppliesToInternal").child("Enabled", "1")
                        .child("ReplyMessage", "away").child("BodyType", "Text")))).childText("Status"))
                .isEqualTo("7");
        // nothing was written to the user's ManageSieve account
        assertThat(manageSieve(user, "LISTSCRIPTS")).doesNotContain("easgate");
    }

    /** Messages in the user's Inbox flagged \Flagged (Maildir info letter F). */
    private static long flagged(String user) throws Exception {
        try (var files = java.nio.file.Files.list(dovecot.directory().resolve("mail").resolve(user).resolve("cur"))) {
            return files.filter(f -> f.getFileName().toString().matches(".*:2,[A-Z]*F[A-Z]*")).count();
        }
    }

    /** Raw ManageSieve as the user (an independent client): the commands' answers, each up to its OK. */
    private static String manageSieve(String user, String... commands) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), dovecot.sievePort())) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            untilOk(in);
            String plain = Base64.getEncoder().encodeToString(("\0" + user + "\0" + DovecotProcess.PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            send(out, "AUTHENTICATE \"PLAIN\" \"" + plain + "\"");
            untilOk(in);
            StringBuilder answers = new StringBuilder();
            for (String command : commands) {
                send(out, command);
                answers.append(untilOk(in));
            }
            send(out, "LOGOUT");
            return answers.toString();
        }
    }

    private static void send(OutputStream out, String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String untilOk(BufferedReader in) throws Exception {
        StringBuilder lines = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            lines.append(line).append('\n');
            if (line.startsWith("OK")) {
                return lines.toString();
            }
            if (line.startsWith("NO") || line.startsWith("BYE")) {
                throw new IllegalStateException("ManageSieve: " + lines);
            }
        }
        throw new IllegalStateException("ManageSieve closed: " + lines);
    }
}
