package dev.easgate.core.lmtp;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.testing.Loopback;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mail delivered to the memory backend over LMTP, over a real socket: it lands in the Inbox and wakes the parked
 * Ping through the change bus; the dialogue follows RFC 2033 (a reply per recipient, pipelining, errors).
 */
class LmtpDeliveryTest {
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("memory.lmtp-port", Integer.toString(Loopback.freePort()),
                "heartbeat.min", "1"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aDeliveredMessageLandsInTheInboxAndWakesTheParkedPing() throws Exception {
        EasTestClient phone = server.provisioned("demo", "LMTP-PHONE");
        String inbox = server.folderId("demo", FolderType.INBOX);
        server.markSynced("demo", "LMTP-PHONE", inbox);
        int before = server.items("demo", FolderType.INBOX).size();
        CompletableFuture<EasTestClient.Response> parked = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                el(CodePage.PING, "Ping").child("HeartbeatInterval", 600L)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                        .build()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.gateway().services().heartbeat().parked() < 1) {
            assertThat(System.nanoTime()).as("Ping parked").isLessThan(deadline);
            Thread.sleep(10);
        }

        try (Lmtp lmtp = Lmtp.connect(server.gateway().lmtpPort())) {
            assertThat(lmtp.reply()).startsWith("220 ");
            lmtp.send("LHLO mta.test");
            assertThat(lmtp.reply()).contains("PIPELINING").endsWith("\n250 SIZE 33554432");
            // pipelined (RFC 2033 section 4): the replies come back in order
            lmtp.send("MAIL FROM:<sender@mta.test>\r\nRCPT TO:<demo@example.com>\r\n"
                    + "RCPT TO:<nobody@elsewhere.test>\r\nDATA");
            assertThat(lmtp.reply()).startsWith("250 2.1.0");
            assertThat(lmtp.reply()).startsWith("250 2.1.5");
            assertThat(lmtp.reply()).startsWith("550 5.1.1");
            assertThat(lmtp.reply()).startsWith("354 ");
            lmtp.send("From: Sender <sender@mta.test>\r\nTo: demo@example.com\r\nSubject: over LMTP\r\n"
                    + "\r\nfirst line\r\n..a line that began with a dot\r\n.");
            // one reply for the one accepted recipient (RFC 2033 section 4.2)
            assertThat(lmtp.reply()).startsWith("250 2.0.0");
            lmtp.send("QUIT");
            assertThat(lmtp.reply()).startsWith("221 ");
            assertThat(lmtp.closed()).isTrue();
        }

        EasTestClient.Response woken = parked.get(10, TimeUnit.SECONDS);
        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").children("Folder")).extracting(f -> f.text())
                .containsExactly(inbox);
        List<Item> items = server.items("demo", FolderType.INBOX);
        assertThat(items).hasSize(before + 1);
        String mime = items.stream().map(item -> new String(((ItemContent.Email) item.content()).mime(),
                StandardCharsets.ISO_8859_1)).filter(text -> text.contains("Subject: over LMTP")).findFirst()
                .orElseThrow();
        assertThat(mime).startsWith("Return-Path: <sender@mta.test>\r\n")
                .contains("\r\nfirst line\r\n.a line that began with a dot\r\n");
    }

    @Test
    void commandsOutOfOrderAreRefusedAndTheSessionGoesOn() throws Exception {
        try (Lmtp lmtp = Lmtp.connect(server.gateway().lmtpPort())) {
            assertThat(lmtp.reply()).startsWith("220 ");
            lmtp.send("EHLO mta.test");
            assertThat(lmtp.reply()).startsWith("500 ");
            lmtp.send("MAIL FROM:<a@mta.test>");
            assertThat(lmtp.reply()).startsWith("503 ");
            lmtp.send("LHLO mta.test");
            assertThat(lmtp.reply()).startsWith("250-");
            lmtp.send("DATA");
            assertThat(lmtp.reply()).startsWith("503 ");
            lmtp.send("MAIL FROM:<>");
            assertThat(lmtp.reply()).startsWith("250 ");
            lmtp.send("RCPT TO:<nobody@example.org>");
            assertThat(lmtp.reply()).startsWith("550 ");
            lmtp.send("DATA");
            assertThat(lmtp.reply()).startsWith("503 ");
            lmtp.send("RSET");
            assertThat(lmtp.reply()).startsWith("250 ");
            lmtp.send("RCPT TO:<demo@example.com>");
            assertThat(lmtp.reply()).as("RCPT after RSET needs MAIL again").startsWith("503 ");
            lmtp.send("NOOP");
            assertThat(lmtp.reply()).startsWith("250 ");
        }
    }

    /** A minimal blocking LMTP client: replies are read whole (continuation lines joined with LF). */
    private record Lmtp(Socket socket, BufferedReader in, OutputStream out) implements AutoCloseable {
        static Lmtp connect(int port) throws IOException {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            return new Lmtp(socket, new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1)), socket.getOutputStream());
        }

        void send(String lines) throws IOException {
            out.write((lines + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        String reply() throws IOException {
            StringBuilder reply = new StringBuilder();
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("closed; so far: " + reply);
                }
                reply.append(reply.length() > 0 ? "\n" : "").append(line);
            } while (line.length() > 3 && line.charAt(3) == '-');
            return reply.toString();
        }

        boolean closed() throws IOException {
            return in.read() < 0;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
