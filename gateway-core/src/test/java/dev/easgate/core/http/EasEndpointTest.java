package dev.easgate.core.http;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The MS-ASHTTP front over real HTTP: the query forms, limits and refusals the protocol prescribes. */
class EasEndpointTest {
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("request.max-bytes", "4096", "request.max-concurrent", "2"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theBase64QueryFormCarriesCommandVersionAndPolicyKey() {
        EasTestClient phone = server.client("demo", "B64PHONE");
        phone.provision();
        long policyKey = Long.parseLong(phone.policyKey());
        byte[] query = EasQueryParserTest.base64Query(141, 9, "B64PHONE", policyKey, "TestPhone");
        EasTestClient.Response response = new EasTestClient(server.uri(), "demo", "demo", "B64PHONE")
                .postBase64(query, el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("Status")).isEqualTo("1");
    }

    @Test
    void aBodyOverTheLimitGets413() {
        EasTestClient phone = server.client("demo", "BIGBODY");
        phone.provision();
        EasTestClient.Response response = phone.postBytes("SendMail", new byte[10_000], "message/rfc822",
                Map.of("SaveInSent", "T"));
        assertThat(response.status()).isEqualTo(413);
    }

    @Test
    void commandsOutsideTheVersionGet501AndOtherMethods405() throws Exception {
        EasTestClient phone = server.client("demo", "NOTIMPL");
        phone.provision();
        // every MS-ASCMD command is implemented; GetAttachment is not part of 14.0+ (MS-ASCMD 2.2.1.8): 501 there
        assertThat(phone.postBytes("GetAttachment", new byte[0], null, Map.of("AttachmentName", "x")).status())
                .isEqualTo(501);
        HttpResponse<Void> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        server.uri().resolve(EasEndpoint.PATH)).header("Authorization", basic("demo", "demo")).GET()
                .build(), HttpResponse.BodyHandlers.discarding());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    @Test
    void anUnsupportedProtocolVersionGets400() {
        assertThat(server.client("demo", "OLDVERSION").protocolVersion("1.0").post("FolderSync", null).status())
                .isEqualTo(400);
    }

    @Test
    void beyondTheInFlightLimitANodeAnswers503WithRetryAfter() throws Exception {
        // two Provision requests (exempt from the policy check) whose bodies never finish arriving occupy both slots
        Socket[] slow = new Socket[2];
        try {
            for (int i = 0; i < slow.length; i++) {
                slow[i] = new Socket("127.0.0.1", server.uri().getPort());
                OutputStream out = slow[i].getOutputStream();
                out.write(("POST " + EasEndpoint.PATH + "?Cmd=Provision&User=demo&DeviceId=SLOW" + i
                        + "&DeviceType=T HTTP/1.1\r\nHost: localhost\r\nMS-ASProtocolVersion: 14.1\r\n"
                        + "Authorization: " + basic("demo", "demo") + "\r\n"
                        + "Content-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: 100\r\n\r\n\u0003")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.gateway().endpoint().inFlight() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            EasTestClient.Response refused = server.client("demo", "THIRD").post("FolderSync", null);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isEqualTo("30");
        } finally {
            for (Socket socket : slow) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.gateway().endpoint().inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.gateway().endpoint().inFlight()).isZero();
    }

    @Test
    void optionsNeedsCredentials() {
        EasTestClient anonymous = new EasTestClient(server.uri(), null, null, "ANON");
        EasTestClient.Response response = anonymous.options();
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Basic");
    }
}
