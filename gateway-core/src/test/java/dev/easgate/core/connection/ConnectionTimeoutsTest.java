package dev.easgate.core.connection;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.content.AttachmentReference;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.codepage.CodePage;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The front's connection timeouts over real sockets, with every timeout at one second: idle, slowly trickled headers
 * and a stalled body are closed and counted; a parked Ping with a longer heartbeat, a slow but moving upload and a
 * slow but moving download are not cut.
 */
class ConnectionTimeoutsTest {
    private static final int ATTACHMENT_BYTES = 12 << 20;
    private static GatewayTestServer server;
    private static Item bigMail;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("http.idle-timeout", "1", "http.header-timeout", "1",
                "http.body-timeout", "1", "heartbeat.min", "3"));
        byte[] attachment = new byte[ATTACHMENT_BYTES];
        new Random(14).nextBytes(attachment);
        MailStore store = server.gateway().services().mailStore();
        Folder folder = store.createFolder("bob", Folder.ROOT, "big", FolderType.USER_MAIL).block();
        String mime = "From: a@example.com\r\nTo: bob@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nThe scans.\r\n"
                + "--b1\r\nContent-Type: application/octet-stream; name=\"scans.bin\"\r\n"
                + "Content-Disposition: attachment; filename=\"scans.bin\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(attachment)
                + "\r\n--b1--\r\n";
        bigMail = store.add("bob", folder.id(), new ItemContent.Email(mime.getBytes(StandardCharsets.US_ASCII),
                EmailFlags.UNREAD)).block();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static double closes(String reason) {
        Counter counter = server.gateway().services().metrics().registry().find("easgate.http.closed")
                .tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws IOException {
        double before = closes("idle");
        long start = System.nanoTime();
        try (RawHttp connection = RawHttp.connect(server.uri())) {
            assertThat(connection.awaitClose(5000)).isEmpty();
        }
        assertThat(millisSince(start)).isBetween(900L, 4000L);
        assertThat(closes("idle")).isGreaterThanOrEqualTo(before + 1);
    }

    @Test
    void aKeptAliveConnectionIsClosedOneIdleTimeoutAfterItsLastAnswer() throws IOException {
        try (RawHttp connection = RawHttp.connect(server.uri())) {
            connection.write("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n");
            assertThat(connection.readHead(5000)).startsWith("HTTP/1.1 200");
            long answered = System.nanoTime();
            connection.awaitClose(5000);
            assertThat(millisSince(answered)).isBetween(900L, 4000L);
        }
    }

    @Test
    void headersTrickledByteByByteAreCutAtTheHeaderTimeout() throws IOException {
        double before = closes("header-timeout");
        String request = "POST /Microsoft-Server-ActiveSync?Cmd=Ping HTTP/1.1\r\nHost: test\r\nX-Slow: "
                + "a".repeat(200);
        try (RawHttp connection = RawHttp.connect(server.uri())) {
            long start = System.nanoTime();
            boolean closed = false;
            // a byte every 100 ms: the connection is never quiet for the idle or body timeout, only slow
            for (int i = 0; i < request.length() && !closed; i++) {
                try {
                    connection.write(request.substring(i, i + 1));
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                closed = connection.closedWithin(100);
            }
            assertThat(closed).as("closed while headers trickled").isTrue();
            assertThat(millisSince(start)).isBetween(900L, 4000L);
        }
        assertThat(closes("header-timeout")).isEqualTo(before + 1);
    }

    @Test
    void aBodyThatStopsShortOfItsLengthIsClosedAtTheBodyTimeout() throws IOException {
        EasTestClient phone = server.provisioned("demo", "STALL", "12.1");
        double before = closes("body-timeout");
        try (RawHttp connection = RawHttp.connect(server.uri())) {
            connection.write("POST /Microsoft-Server-ActiveSync?Cmd=SendMail&User=demo&DeviceId=STALL"
                    + "&DeviceType=TestPhone&SaveInSent=T HTTP/1.1\r\nHost: test\r\nAuthorization: "
                    + RawHttp.basic("demo", "demo") + "\r\nMS-ASProtocolVersion: 12.1\r\nX-MS-PolicyKey: "
                    + phone.policyKey() + "\r\nContent-Type: message/rfc822\r\nContent-Length: 1000\r\n\r\n"
                    + "x".repeat(10));
            long stalled = System.nanoTime();
            // no answer (MS-ASHTTP lists no 408): the connection ends
            assertThat(connection.awaitClose(5000)).isEmpty();
            assertThat(millisSince(stalled)).isBetween(900L, 4000L);
        }
        assertThat(closes("body-timeout")).isEqualTo(before + 1);
    }

    @Test
    void aSlowButMovingUploadIsNotCut() throws Exception {
        EasTestClient phone = server.provisioned("demo", "UPLOAD", "12.1");
        double before = closes("body-timeout");
        byte[] mime = ("To: alice@example.com\r\nSubject: scans\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + "line of a long mail\r\n".repeat(10_000))
                .getBytes(StandardCharsets.US_ASCII);
        try (RawHttp connection = RawHttp.connect(server.uri())) {
            connection.write("POST /Microsoft-Server-ActiveSync?Cmd=SendMail&User=demo&DeviceId=UPLOAD"
                    + "&DeviceType=TestPhone&SaveInSent=T HTTP/1.1\r\nHost: test\r\nAuthorization: "
                    + RawHttp.basic("demo", "demo") + "\r\nMS-ASProtocolVersion: 12.1\r\nX-MS-PolicyKey: "
                    + phone.policyKey() + "\r\nContent-Type: message/rfc822\r\nContent-Length: " + mime.length
                    + "\r\n\r\n");
            long start = System.nanoTime();
            // about 3 s in all, never 1 s without a byte
            int piece = mime.length / 30 + 1;
            for (int offset = 0; offset < mime.length; offset += piece) {
                connection.write(Arrays.copyOfRange(mime, offset, Math.min(mime.length, offset + piece)));
                Thread.sleep(100);
            }
            assertThat(millisSince(start)).isGreaterThan(2500L);
            assertThat(connection.readHead(10_000)).startsWith("HTTP/1.1 200");
        }
        assertThat(closes("body-timeout")).isEqualTo(before);
    }

    @Test
    void aParkedPingWithALongerHeartbeatIsAnsweredAtItsHeartbeat() {
        EasTestClient phone = server.provisioned("alice", "PARKED");
        String inbox = server.folderId("alice", FolderType.INBOX);
        server.markSynced("alice", "PARKED", inbox);
        double idle = closes("idle");
        long start = System.nanoTime();
        EasTestClient.Response response = phone.post("Ping", el(CodePage.PING, "Ping")
                .child("HeartbeatInterval", 4L)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                .build());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("Status")).as("heartbeat expired, no change").isEqualTo("1");
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(3900L);
        assertThat(closes("idle")).isEqualTo(idle);
    }

    @Test
    void aSlowButMovingDownloadOfALargeAttachmentCompletes() throws Exception {
        EasTestClient phone = server.provisioned("bob", "DOWNLOAD", "12.1");
        String name = new AttachmentReference(bigMail.folderId(), bigMail.id(), 1).format();
        long received = 0;
        long start;
        try (RawHttp connection = RawHttp.connect(server.uri(), 16 << 10)) {
            connection.write("POST /Microsoft-Server-ActiveSync?Cmd=GetAttachment&User=bob&DeviceId=DOWNLOAD"
                    + "&DeviceType=TestPhone&AttachmentName=" + URLEncoder.encode(name,
                    StandardCharsets.UTF_8) + " HTTP/1.1\r\nHost: test\r\nAuthorization: "
                    + RawHttp.basic("bob", "demo") + "\r\nMS-ASProtocolVersion: 12.1\r\nX-MS-PolicyKey: "
                    + phone.policyKey() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            start = System.nanoTime();
            String head = connection.readHead(10_000);
            assertThat(head).startsWith("HTTP/1.1 200");
            // about 3 MB/s: the gateway writes for seconds, far past every timeout (its send buffer holds ~4 MB)
            InputStream in = connection.socket.getInputStream();
            connection.socket.setSoTimeout(10_000);
            byte[] buffer = new byte[16 << 10];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received += n;
                if (received % (48 << 10) < n) {
                    Thread.sleep(15);
                }
            }
        }
        assertThat(received).as("the whole attachment (plus chunk framing, if any)")
                .isGreaterThanOrEqualTo(ATTACHMENT_BYTES);
        assertThat(millisSince(start)).isGreaterThan(2000L);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
