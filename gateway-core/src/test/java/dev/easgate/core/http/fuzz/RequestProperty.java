package dev.easgate.core.http.fuzz;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.http.EasEndpoint;
import dev.easgate.core.http.EasQuery;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request built from fuzzed bytes (method, query in either form or raw, Authorization, MS-ASProtocolVersion,
 * Content-Type, X-MS-PolicyKey, User-Agent, MS-ASAcceptMultiPart, and a body that is raw bytes or a command document
 * followed by them) sent over a real connection to a running gateway: whatever it holds, the gateway answers with a
 * status the front defines (never 500: an exception escaping the pipeline) within the heartbeat bound, and keeps
 * serving.
 */
final class RequestProperty implements AutoCloseable {
    /** What the front and the handlers answer on purpose (MS-ASHTTP 2.2.2, limits, refusals). */
    private static final List<Integer> ANSWERS = List.of(200, 400, 401, 403, 404, 405, 411, 413, 415, 429, 431, 441,
            449, 451, 501, 503, 507);
    private static final List<byte[]> DOCUMENTS = List.of(
            WbxmlEncoder.encode(el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build()),
            WbxmlEncoder.encode(el(CodePage.PROVISION, "Provision").child("Policies", p -> p
                    .child("Policy", q -> q.child("PolicyType", "MS-EAS-Provisioning-WBXML"))).build()),
            WbxmlEncoder.encode(el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs
                    .child("Collection", c -> c.child("SyncKey", "0").child("CollectionId", "1"))).build()),
            WbxmlEncoder.encode(el(CodePage.PING, "Ping").child("HeartbeatInterval", "1").build()),
            WbxmlEncoder.encode(el(CodePage.SETTINGS, "Settings").child("UserInformation", u -> u.empty("Get"))
                    .build()));

    private final GatewayTestServer server;

    private RequestProperty(GatewayTestServer server) {
        this.server = server;
    }

    /**
     * A gateway for fuzzing: the demo accounts, heartbeats of 1-2 s (a fuzzed Ping or Sync that parks returns
     * quickly), small bodies, and login limits out of reach (failures must not lock the fuzzer's address out).
     */
    static RequestProperty start() {
        return new RequestProperty(GatewayTestServer.start(Map.of("heartbeat.min", "1", "heartbeat.max", "2",
                "request.max-bytes", "65536", "login.delay-after", "1000000", "login.max-failures", "1000000",
                "device.max-concurrent", "1000", "user.max-concurrent", "1000")));
    }

    /** Sends the request {@code data} describes; fails unless the answer is one the front defines. */
    void check(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        String method = new String[] {"POST", "POST", "POST", "OPTIONS", "GET"}[in.choice(5)];
        String query = switch (in.choice(4)) {
            case 0 -> QueryProperty.plainQuery(in, new LinkedHashMap<>(), new String[4]);
            case 1 -> QueryProperty.base64Query(in, new EasQuery[1]);
            case 2 -> uriSafe(in.string(200));
            default -> "";
        };
        Map<String, String> headers = new LinkedHashMap<>();
        switch (in.choice(4)) {
            case 0, 1 -> headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    "demo:demo".getBytes(StandardCharsets.UTF_8)));
            case 2 -> headers.put("Authorization", in.string(80));
            default -> { }
        }
        switch (in.choice(3)) {
            case 0 -> headers.put("MS-ASProtocolVersion",
                    ProtocolVersion.values()[in.choice(ProtocolVersion.values().length)].header());
            case 1 -> headers.put("MS-ASProtocolVersion", in.string(12));
            default -> { }
        }
        switch (in.choice(4)) {
            case 0, 1 -> headers.put("Content-Type", "application/vnd.ms-sync.wbxml");
            case 2 -> headers.put("Content-Type", in.string(40));
            default -> { }
        }
        switch (in.choice(3)) {
            case 0 -> headers.put("X-MS-PolicyKey", Long.toString(in.choice(256) * 16_777_259L));
            case 1 -> headers.put("X-MS-PolicyKey", in.string(16));
            default -> { }
        }
        if (in.flag()) {
            headers.put("User-Agent", in.string(60));
        }
        if (in.flag()) {
            headers.put("MS-ASAcceptMultiPart", in.flag() ? "T" : in.string(4));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (in.flag()) {
            byte[] document = DOCUMENTS.get(in.choice(DOCUMENTS.size()));
            body.write(document, 0, document.length);
        }
        byte[] rest = in.rest();
        body.write(rest, 0, rest.length);
        int status = send(method, query, headers, method.equals("POST") ? body.toByteArray() : null);
        assertThat(ANSWERS).as("status of %s ?%s %s with a body of %d bytes", method, query, headers, body.size())
                .contains(status);
    }

    /** One exchange on a fresh connection; the answer's status. */
    private int send(String method, String query, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(EasEndpoint.PATH)
                .append(query.isEmpty() ? "" : "?" + query).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(headerSafe(value)).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.gateway().port())) {
            socket.setSoTimeout(20_000);
            // head and body in one write, as a phone sends a request: an answer given before the body was read
            // (a refusal) must not race with a body still on its way
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                request.writeBytes(body);
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            in.transferTo(OutputStream.nullOutputStream()); // the whole answer, until the gateway closes
            String[] parts = line.toString().split(" ");
            assertThat(parts).as("status line '%s' for %s", line, head).hasSizeGreaterThan(1);
            return Integer.parseInt(parts[1]);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within 20 s to " + head, e);
        } catch (IOException e) {
            throw new UncheckedIOException("exchange failed for " + head, e);
        }
    }

    /** Query text that fits a request line: anything outside the URI characters percent-encoded. */
    private static String uriSafe(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c > 0x20 && c < 0x7F && c != '#' && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^'
                    && c != '`' && c != '{' && c != '|' && c != '}') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    /** A header value on one line (a CR or LF would end it and start another header or the body). */
    private static String headerSafe(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }

    /**
     * The gateway still serves a well-formed client after the fuzzing (another user: the fuzzed requests may have
     * given demo as many devices as a user may have).
     */
    void stillServes() {
        var phone = server.client("alice", "fuzz-after");
        assertThat(phone.provision().text("Status")).isEqualTo("1");
    }

    @Override
    public void close() {
        server.close();
    }
}
