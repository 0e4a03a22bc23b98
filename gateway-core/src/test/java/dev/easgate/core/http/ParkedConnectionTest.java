package dev.easgate.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.core.heartbeat.HeartbeatHub;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A parked Ping's connection is taken out of Reactor Netty while it waits ({@link ParkedConnections}): over one
 * raw, kept-alive HTTP/1.1 connection, as a phone holds it, its answer is written whole and the connection serves
 * the next requests; a phone that goes away, or sends anything while parked, unparks it and frees its slots.
 */
class ParkedConnectionTest {
    private static final String PASSWORD = "parked-secret";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private GatewayTestServer server;
    private String inbox;

    @BeforeEach
    void start() {
        server = GatewayTestServer.start(Map.of("memory.password", PASSWORD, "memory.seed", "folders",
                "provision.required", "false"));
        inbox = server.folderId("alice", FolderType.INBOX);
        server.markSynced("alice", "PARKED1", inbox);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aWokenPingIsWrittenWholeAndItsConnectionServesTheNextRequests() throws Exception {
        try (Socket phone = new Socket("127.0.0.1", server.gateway().port())) {
            phone.setSoTimeout((int) WAIT.toMillis());
            send(phone, ping());
            await(() -> hub().parked() == 1, "parked");
            await(() -> outside() == 1, "taken out of Reactor Netty");

            server.gateway().services().mailStore().add("alice", inbox, new ItemContent.Email(
                    "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII), EmailFlags.UNREAD))
                    .block(WAIT);
            Response woken = Response.read(phone.getInputStream());
            assertThat(woken.status).isEqualTo(200);
            assertThat(woken.headers).containsEntry("ms-server-activesync", EasEndpoint.SERVER_VERSION)
                    .containsEntry("content-type", EasEndpoint.WBXML);
            WbxmlElement body = WbxmlDecoder.DEFAULT.decode(woken.body);
            assertThat(body.childText("Status")).isEqualTo("2");
            assertThat(body.child("Folders").children("Folder")).extracting(WbxmlElement::text)
                    .containsExactly(inbox);
            await(() -> server.gateway().endpoint().inFlight() == 0, "no request in flight");
            assertThat(outside()).isZero();

            // the same connection, set up again by the server: the change is still unsynced, status 2 at once
            send(phone, ping());
            Response again = Response.read(phone.getInputStream());
            assertThat(again.status).isEqualTo(200);
            assertThat(WbxmlDecoder.DEFAULT.decode(again.body).childText("Status")).isEqualTo("2");

            send(phone, ("OPTIONS /Microsoft-Server-ActiveSync HTTP/1.1\r\nHost: x\r\nAuthorization: "
                    + basic() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Response options = Response.read(phone.getInputStream());
            assertThat(options.status).isEqualTo(200);
            assertThat(options.headers).containsKey("ms-asprotocolversions");
        }
    }

    @Test
    void aDrainedPingIsAnsweredWithStatus1OnItsConnection() throws Exception {
        try (Socket phone = new Socket("127.0.0.1", server.gateway().port())) {
            phone.setSoTimeout((int) WAIT.toMillis());
            send(phone, ping());
            await(() -> hub().parked() == 1, "parked");
            await(() -> outside() == 1, "taken out of Reactor Netty");
            hub().drain();
            Response drained = Response.read(phone.getInputStream());
            assertThat(drained.status).isEqualTo(200);
            assertThat(WbxmlDecoder.DEFAULT.decode(drained.body).childText("Status")).isEqualTo("1");
            await(() -> server.gateway().endpoint().inFlight() == 0, "no request in flight");
        }
    }

    @Test
    void aPhoneThatGoesAwayWhileParkedIsUnparkedAndItsSlotsFreed() throws Exception {
        try (Socket phone = new Socket("127.0.0.1", server.gateway().port())) {
            send(phone, ping());
            await(() -> hub().parked() == 1, "parked");
            await(() -> outside() == 1, "taken out of Reactor Netty");
        }
        await(() -> hub().parked() == 0, "unparked");
        await(() -> server.gateway().endpoint().inFlight() == 0, "no request in flight");
        assertThat(outside()).isZero();

        // the device's slot is free: its next Ping parks
        try (Socket phone = new Socket("127.0.0.1", server.gateway().port())) {
            send(phone, ping());
            await(() -> hub().parked() == 1, "parked again");
        }
        await(() -> hub().parked() == 0, "unparked again");
    }

    @Test
    void bytesSentWhileParkedCloseTheConnection() throws Exception {
        try (Socket phone = new Socket("127.0.0.1", server.gateway().port())) {
            phone.setSoTimeout((int) WAIT.toMillis());
            send(phone, ping());
            await(() -> hub().parked() == 1, "parked");
            await(() -> outside() == 1, "taken out of Reactor Netty");
            send(phone, "\r\n".getBytes(StandardCharsets.US_ASCII)); // an empty line is let pass
            Thread.sleep(200);
            assertThat(hub().parked()).isEqualTo(1);
            send(phone, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(phone.getInputStream().read()).isEqualTo(-1);
        }
        await(() -> hub().parked() == 0, "unparked");
        await(() -> server.gateway().endpoint().inFlight() == 0, "no request in flight");
        assertThat(outside()).isZero();
    }

    private int outside() {
        return server.gateway().endpoint().parkedConnections().detached();
    }

    private HeartbeatHub hub() {
        return server.gateway().services().heartbeat();
    }

    private byte[] ping() {
        byte[] body = WbxmlEncoder.encode(WbxmlElement.el(CodePage.PING, "Ping").child("HeartbeatInterval", 600)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                .build());
        String head = "POST /Microsoft-Server-ActiveSync?Cmd=Ping&User=alice&DeviceId=PARKED1&DeviceType=Test"
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic() + "\r\nMS-ASProtocolVersion: 16.1\r\n"
                + "Content-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: " + body.length + "\r\n\r\n";
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(body);
        return request.toByteArray();
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within " + WAIT.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** One HTTP/1.1 response with a Content-Length, read off the connection. */
    private record Response(int status, Map<String, String> headers, byte[] body) {
        static Response read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new TreeMap<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("body cut at " + body.length + " of " + length + " bytes");
            }
            return new Response(status, headers, body);
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed after: " + line);
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }
}
