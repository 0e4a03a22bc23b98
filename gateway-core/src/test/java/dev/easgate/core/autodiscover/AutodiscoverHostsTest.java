package dev.easgate.core.autodiscover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.admin.Json;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.GatewayTestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which Host headers Autodiscover reflects, over real HTTP with Host headers of our choosing: without public.url
 * only those autodiscover.hosts lists; any other gets the error answer (HTTP 404 HostNotServed from the JSON
 * endpoint, the mobilesync Action/Error Status 2 from the XML one), never a URL naming the requester's host.
 */
class AutodiscoverHostsTest {
    private static GatewayTestServer listed;
    private static GatewayTestServer unlisted;
    private static GatewayTestServer published;

    @BeforeAll
    static void start() {
        listed = GatewayTestServer.start(Map.of("autodiscover.hosts", " eas.example.org, EAS.example.net:8443 "));
        unlisted = GatewayTestServer.start(Map.of());
        published = GatewayTestServer.start(Map.of("public.url", "https://eas.example.com/Microsoft-Server-ActiveSync"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(listed, unlisted, published);
    }

    record Answer(int status, String body) {
    }

    private static Answer json(GatewayTestServer server, String host, String protocol) throws IOException {
        return send(server, "GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=" + protocol
                + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    private static Answer pox(GatewayTestServer server, String host) throws IOException {
        String body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\""
                + AutodiscoverEndpoint.REQUEST_NS + "\"><Request><EMailAddress>alice@example.com</EMailAddress>"
                + "<AcceptableResponseSchema>" + AutodiscoverEndpoint.MOBILESYNC_NS
                + "</AcceptableResponseSchema></Request></Autodiscover>";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String credentials = Base64.getEncoder().encodeToString("alice:demo".getBytes(StandardCharsets.UTF_8));
        return send(server, "POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: " + host
                + "\r\nAuthorization: Basic " + credentials + "\r\nContent-Type: text/xml\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n" + body);
    }

    /** One raw HTTP/1.1 exchange (the JDK client will not send a Host header of our choosing). */
    private static Answer send(GatewayTestServer server, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.gateway().port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.split(" ", 3)[1]);
            int blank = response.indexOf("\r\n\r\n");
            return new Answer(status, blank < 0 ? "" : response.substring(blank + 4));
        }
    }

    private static String url(Answer answer) {
        String body = answer.body();
        return (String) Json.parseObject(body.substring(body.indexOf('{'), body.lastIndexOf('}') + 1)).get("Url");
    }

    @Test
    void aListedHostIsReflectedByNameOrByNameAndPort() throws IOException {
        Answer byName = json(listed, "eas.example.org:9443", "ActiveSync");
        assertThat(byName.status()).isEqualTo(200);
        assertThat(url(byName)).isEqualTo("https://eas.example.org:9443/Microsoft-Server-ActiveSync");
        assertThat(url(json(listed, "EAS.Example.ORG", "ActiveSync")))
                .isEqualTo("https://eas.example.org/Microsoft-Server-ActiveSync");
        assertThat(url(json(listed, "eas.example.net:8443", "AutodiscoverV1")))
                .isEqualTo("https://eas.example.net:8443/autodiscover/autodiscover.xml");

        Answer xml = pox(listed, "eas.example.org");
        assertThat(xml.status()).isEqualTo(200);
        assertThat(xml.body()).contains("<Url>https://eas.example.org/Microsoft-Server-ActiveSync</Url>")
                .doesNotContain("<Error>");
    }

    @Test
    void anyOtherHostGetsTheErrorAnswerAndIsNeverReflected() throws IOException {
        for (String host : new String[] {"evil.example.com", "eas.example.net:9000", "eas.example.org.evil.com",
                "eas.example.org@evil.com"}) {
            Answer answer = json(listed, host, "ActiveSync");
            assertThat(answer.status()).as(host).isEqualTo(404);
            assertThat(answer.body()).as(host).contains("\"ErrorCode\":\"HostNotServed\"").doesNotContain("evil")
                    .doesNotContain("9000");
            assertThat(json(listed, host, "AutodiscoverV1").status()).as(host).isEqualTo(404);
        }
        Answer xml = pox(listed, "evil.example.com");
        assertThat(xml.status()).isEqualTo(200);
        assertThat(xml.body()).contains("<Action>", "<Error>", "<Status>2</Status>",
                "<EMailAddress>alice@example.com</EMailAddress>").doesNotContain("<Url>", "evil");
    }

    @Test
    void withNeitherOptionEveryHostGetsTheError() throws IOException {
        assertThat(json(unlisted, "127.0.0.1:" + unlisted.gateway().port(), "ActiveSync").status()).isEqualTo(404);
        assertThat(json(unlisted, "localhost", "ActiveSync").status()).isEqualTo(404);
        assertThat(pox(unlisted, "localhost").body()).contains("<Status>2</Status>").doesNotContain("<Url>");
    }

    @Test
    void publicUrlIsAnsweredWhateverTheHost() throws IOException {
        Answer answer = json(published, "evil.example.com", "ActiveSync");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(url(answer)).isEqualTo("https://eas.example.com/Microsoft-Server-ActiveSync");
        assertThat(pox(published, "evil.example.com").body())
                .contains("<Url>https://eas.example.com/Microsoft-Server-ActiveSync</Url>").doesNotContain("evil");
    }
}
