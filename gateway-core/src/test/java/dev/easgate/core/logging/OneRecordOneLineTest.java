package dev.easgate.core.logging;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.easgate.core.admin.Json;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Values a client controls, carrying CR, LF, NUL, ESC, C1 controls, U+2028 and 10 kB, sent over real HTTP in the
 * user name, DeviceId, DeviceType, User-Agent, other query values and headers: every log record the gateway writes
 * meanwhile, encoded by the configured text pattern (logback.xml's STDOUT) and by the JSON encoder of log.format=json,
 * is exactly one line, and a JSON line is one valid object. Lines written straight to a logger with raw values and a
 * stack trace show the layout's own guarantee, for call sites that forget to escape.
 */
class OneRecordOneLineTest {
    private static final String FORGED = "2026-01-01T00:00:00.000Z INFO  [main] EasEndpoint - forged line";
    private static final String LONG = "L".repeat(10_000);
    /** Values with every kind of line break and control character, and an overlong one. */
    private static final String[] NASTY = {"a\r\n" + FORGED, "b\n" + FORGED, "c\r" + FORGED, "nul\u0000x",
        "esc\u001b[31mred\u001b[0m", "ls\u2028ps\u2029nel\u0085", "del\u007f",
        "tab\there", LONG + "\n" + FORGED};

    /** Each record as both encoders write it. */
    private static final class Both extends AppenderBase<ILoggingEvent> {
        final List<String[]> records = new ArrayList<>();
        private final Encoder<ILoggingEvent> text;
        private final Encoder<ILoggingEvent> json;

        Both(Encoder<ILoggingEvent> text, Encoder<ILoggingEvent> json) {
            this.text = text;
            this.json = json;
        }

        @Override
        protected synchronized void append(ILoggingEvent event) {
            records.add(new String[] {new String(text.encode(event), StandardCharsets.UTF_8),
                new String(json.encode(event), StandardCharsets.UTF_8), event.getLoggerName()});
        }

        synchronized List<String[]> records() {
            return new ArrayList<>(records);
        }
    }

    @Test
    void everyRecordIsOneLineInTextAndJson() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        // the text pattern the gateway is configured with, not a copy of it
        @SuppressWarnings("unchecked")
        OutputStreamAppender<ILoggingEvent> stdout = (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT");
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(((PatternLayoutEncoder) stdout.getEncoder()).getPattern());
        text.start();
        Both both = new Both(text, LogSetup.json(context));
        both.setContext(context);
        both.start();
        root.addAppender(both);
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("login.delay-after", "100",
                "login.max-failures", "3", "login.lockout", "60"))) {
            for (int i = 0; i < NASTY.length; i++) {
                String nasty = NASTY[i];
                // DeviceId, DeviceType, another query value, the command: a logged-in user's request
                server.client("alice", "demo", nasty).post("FolderSync", folderSync());
                server.client("alice", "demo", "type-" + i).deviceType(nasty).post("FolderSync", folderSync());
                server.client("alice", "demo", "query-" + i).post("FolderSync", folderSync(),
                        Map.of("CollectionId", nasty, "Extra", nasty));
                server.client("alice", "demo", "cmd-" + i).post(nasty, folderSync());
                // headers: User-Agent, MS-ASProtocolVersion, X-MS-PolicyKey, X-Forwarded-For; a header cannot
                // hold a bare CR or LF (HTTP framing), so those bytes are dropped and the rest sent as they are
                String stripped = nasty.replace("\r", "").replace("\n", "");
                String header = stripped.substring(0, Math.min(stripped.length(), 6_000));
                System.out.printf("raw %d: %s / %s%n", i,
                        rawPost(server.gateway().port(), "raw-" + i, header, "14.1", null),
                        rawPost(server.gateway().port(), "raw-v" + i, "agent", header, header));
            }
            // user names last: their failures lock this address and then the accounts' lockout lines follow
            for (int i = 0; i < NASTY.length; i++) {
                server.client(NASTY[i], "guess", "user-" + i).post("FolderSync", folderSync());
                server.client(NASTY[i], "guess", "user-" + i).options();
            }
            // obs-fold: a header continued on the next line (RFC 9112 5.2)
            rawPost(server.gateway().port(), "fold", "folded\r\n " + FORGED, "14.1", null);
        }
        // the layout's own guarantee: a raw value and a stack trace straight to a logger
        org.slf4j.Logger direct = LoggerFactory.getLogger("easgate.test.direct");
        for (String nasty : NASTY) {
            direct.warn("raw value {}", nasty);
            direct.warn("raw failure", new IllegalStateException("message " + nasty, new RuntimeException(nasty)));
        }
        root.detachAppender(both);
        both.stop();

        List<String[]> records = both.records();
        // the values did reach the log, escaped
        assertThat(records).anyMatch(r -> r[0].contains("new device user=alice device=type-1 type=b\\n" + FORGED));
        // (a Basic user name ends at its first colon)
        assertThat(records).anyMatch(r -> r[0].contains("bad credentials for user=a\\r\\n2026-01-01T00 from="));
        assertThat(records).anyMatch(r -> r[0].contains("429 login refused for user=esc\\u001b[31mred"));
        assertThat(records).anyMatch(r -> r[0].contains("agent=ls\\u00e2\\u0080\\u00a8ps"));
        assertThat(records.size()).as("records written").isGreaterThan(8 * NASTY.length);
        assertThat(records).as("the direct lines were captured")
                .anyMatch(r -> r[2].equals("easgate.test.direct") && r[0].contains("IllegalStateException"));
        for (String[] record : records) {
            for (String line : new String[] {record[0], record[1]}) {
                assertThat(line).as("ends with one line break: %s", line).endsWith("\n");
                String body = line.substring(0, line.length() - 1);
                assertThat(body.chars().filter(c -> c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)
                        || c == 0x2028 || c == 0x2029)).as("control or line-breaking characters in: %s", body)
                        .isEmpty();
                assertThat(body).as("a forged record at the start of a line").doesNotStartWith(FORGED);
            }
            assertThat(Json.parse(record[1])).as("one JSON object: %s", record[1]).isInstanceOf(Map.class);
            if (!record[2].equals("easgate.test.direct")) {
                // client values are cut where they are logged and where they enter the MDC
                assertThat(record[0].length()).as("bounded: %s", record[0]).isLessThan(2_000);
                assertThat(record[1].length()).as("bounded: %s", record[1]).isLessThan(2_500);
            }
        }
    }

    private static WbxmlElement folderSync() {
        return el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build();
    }

    /** A FolderSync of alice over a socket, with header values as raw bytes (UTF-8). */
    private static String rawPost(int port, String deviceId, String userAgent, String version, String policyKey)
            throws IOException {
        byte[] body = WbxmlEncoder.encode(folderSync());
        String basic = Base64.getEncoder().encodeToString("alice:demo".getBytes(StandardCharsets.UTF_8));
        StringBuilder head = new StringBuilder("POST /Microsoft-Server-ActiveSync?Cmd=FolderSync&User=alice&DeviceId=")
                .append(deviceId).append("&DeviceType=Raw HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .append("Authorization: Basic ").append(basic).append("\r\n")
                .append("User-Agent: ").append(userAgent).append("\r\n")
                .append("MS-ASProtocolVersion: ").append(version).append("\r\n")
                .append("X-Forwarded-For: ").append(userAgent).append("\r\n");
        if (policyKey != null) {
            head.append("X-MS-PolicyKey: ").append(policyKey).append("\r\n");
        }
        head.append("Content-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: ").append(body.length)
                .append("\r\nConnection: close\r\n\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).as("answered").startsWith("HTTP/1.1 ");
            return answer.substring(0, answer.indexOf('\r'));
        } catch (SocketException e) {
            return "reset"; // the HTTP decoder refused the header (a NUL...) and closed the connection
        }
    }
}
