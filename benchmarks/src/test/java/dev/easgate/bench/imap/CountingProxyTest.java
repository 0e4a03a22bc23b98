package dev.easgate.bench.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.bench.cluster.StartedProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountingProxyTest {
    @Test
    void countsConnectionsAndCommandLinesButNotLiteralData() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             CountingProxy proxy = new CountingProxy(upstream.getLocalPort())) {
            Thread server = new Thread(() -> echoLines(upstream));
            server.setDaemon(true);
            server.start();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                client.setSoTimeout(5000);
                OutputStream out = client.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                        StandardCharsets.US_ASCII));
                // a literal of 13 octets holds two lines that are data, not commands; the CRLF after it ends APPEND
                String lines = "a1 AUTHENTICATE PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\na2 STATUS INBOX (HIGHESTMODSEQ)\r\n"
                        + "a3 APPEND Drafts {13}\r\nx1 FAKE\r\nxy\r\n\r\na4 uid fetch 1:* (FLAGS)\r\n";
                out.write(lines.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (int i = 0; i < 8; i++) {
                    assertThat(in.readLine()).isNotNull(); // all forwarded (and echoed back)
                }
                assertThat(proxy.counts().open()).isEqualTo(1);
                out.write("a5 LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).isEqualTo("a5 LOGOUT");
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (proxy.counts().open() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            CountingProxy.Counts counts = proxy.counts();
            assertThat(counts.opened()).isEqualTo(1);
            assertThat(counts.open()).isZero();
            assertThat(counts.commands()).isEqualTo(Map.of("AUTHENTICATE", 1L, "(continuation)", 1L, "STATUS", 1L,
                    "APPEND", 1L, "UID FETCH", 1L, "LOGOUT", 1L));
            assertThat(counts.commandLines()).isEqualTo(5);
        }
    }

    @Test
    void runsAsItsOwnProcessAndAnswersItsCountsOverTheControlPort(@TempDir Path dir) throws Exception {
        StartedProcesses started = new StartedProcesses();
        try (ServerSocket upstream = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> echoLines(upstream));
            server.setDaemon(true);
            server.start();
            ProxyProcess proxy = ProxyProcess.start(started, upstream.getLocalPort(),
                    System.getProperty("java.class.path"), dir.resolve("proxy.log"));
            assertThat(proxy.pid()).isNotEqualTo(ProcessHandle.current().pid());
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                client.setSoTimeout(5000);
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                        StandardCharsets.US_ASCII));
                client.getOutputStream().write("a1 UID FETCH 1:* (FLAGS)\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).isEqualTo("a1 UID FETCH 1:* (FLAGS)");
                CountingProxy.Counts counts = proxy.counts();
                assertThat(counts.opened()).isEqualTo(1);
                assertThat(counts.open()).isEqualTo(1);
                assertThat(counts.commands()).isEqualTo(Map.of("UID FETCH", 1L));
                assertThat(counts.plus(counts).commands()).isEqualTo(Map.of("UID FETCH", 2L));
            }
        } finally {
            started.close();
        }
    }

    private static void echoLines(ServerSocket upstream) {
        try (Socket socket = upstream.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (line.endsWith("LOGOUT")) {
                    return;
                }
            }
        } catch (IOException ignored) {
            // the test ends the connection
        }
    }
}
