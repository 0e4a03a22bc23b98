package dev.easgate.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The Reactor Netty the gateway runs on reads a kept-alive connection's next request however the one before ended.
 * A request that arrives while the previous one's operations have not ended yet is held back and served after it;
 * when that one was answered at once, Reactor Netty 1.3.7 did not ask the socket for more
 * (reactor/reactor-netty#4361): the next request stayed unread until the client gave up. Under eas-bench that was
 * 1 to 4 of 18,000 phones' set-up requests (a phone's next request on a pooled connection can arrive before the
 * server has ended the previous one); the root POM pins 1.3.8, which re-arms the read. This fails on 1.3.7
 * ({@code mvn test -Dreactor-netty.version=1.3.7}).
 */
class KeepAliveReadTest {
    @Test
    void reactorNettyReadsTheRequestAfterOneHeldBackAndAnsweredAtOnce() throws Exception {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> response.sendString(request.uri().equals("/slow")
                        ? Mono.delay(Duration.ofMillis(30)).thenReturn("slow") : Mono.just("fast")))
                .bindNow(Duration.ofSeconds(5));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int round = 0; round < 5; round++) {
                out.write((get("/slow") + get("/fast")).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(response(in)).as("round %d, slow", round).startsWith("HTTP/1.1 200");
                assertThat(response(in)).as("round %d, held back", round).startsWith("HTTP/1.1 200");
                out.write(get("/fast").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(response(in)).as("round %d, the request after", round).startsWith("HTTP/1.1 200");
            }
        } finally {
            server.disposeNow();
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    /** One response: its head, then as many body bytes as its Content-Length says. */
    private static String response(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return "closed after: " + head.toString(StandardCharsets.US_ASCII);
                }
                head.write(b);
            }
        } catch (SocketTimeoutException e) {
            return "no answer within 5 s";
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        in.readNBytes(length);
        return text;
    }
}
