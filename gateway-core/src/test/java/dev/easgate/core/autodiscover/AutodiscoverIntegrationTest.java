package dev.easgate.core.autodiscover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.admin.Json;
import dev.easgate.core.testing.GatewayTestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Autodiscover over real HTTP: the POX mobilesync schema and the JSON v2 endpoint, good and bad requests. */
class AutodiscoverIntegrationTest {
    private static final String URL = "https://eas.example.net/Microsoft-Server-ActiveSync";
    private static GatewayTestServer server;
    private static GatewayTestServer derived;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of("public.url", URL));
        derived = GatewayTestServer.start(Map.of("autodiscover.hosts", "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        server.close();
        derived.close();
    }

    private static String request(String address, String schema) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006\">"
                + "<Request><EMailAddress>" + address + "</EMailAddress>"
                + "<AcceptableResponseSchema>" + schema + "</AcceptableResponseSchema></Request></Autodiscover>";
    }

    private HttpResponse<String> pox(GatewayTestServer target, String path, String body, String user,
                                     String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.uri().resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(GatewayTestServer target, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(target.uri().resolve(path)).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void poxAnswersTheMobileSyncServerForTheUser() throws Exception {
        HttpResponse<String> response = pox(server, "/Autodiscover/Autodiscover.xml", request("alice@example.com",
                AutodiscoverEndpoint.MOBILESYNC_NS), "alice", "demo");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/xml");
        String xml = response.body();
        assertThat(xml).contains("<Autodiscover xmlns=\"" + AutodiscoverEndpoint.RESPONSE_NS + "\">",
                "<Response xmlns=\"" + AutodiscoverEndpoint.MOBILESYNC_NS + "\">",
                "<EMailAddress>alice@example.com</EMailAddress>", "<DisplayName>",
                "<Type>MobileSync</Type>", "<Url>" + URL + "</Url>", "<Name>" + URL + "</Name>");
        // well-formed
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void poxWithoutOrWithBadCredentialsIs401() throws Exception {
        String body = request("alice@example.com", AutodiscoverEndpoint.MOBILESYNC_NS);
        HttpResponse<String> none = pox(server, "/autodiscover/autodiscover.xml", body, null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Basic");
        assertThat(pox(server, "/autodiscover/autodiscover.xml", body, "alice", "wrong").statusCode())
                .isEqualTo(401);
    }

    @Test
    void malformedRequestsGetError600AndOtherSchemas601() throws Exception {
        HttpResponse<String> malformed = pox(server, "/autodiscover/autodiscover.xml", "<Autodiscover><oops",
                "alice", "demo");
        assertThat(malformed.statusCode()).isEqualTo(200);
        assertThat(malformed.body()).contains("<ErrorCode>600</ErrorCode>", "<Message>Invalid Request</Message>");
        HttpResponse<String> xxe = pox(server, "/autodiscover/autodiscover.xml",
                "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                        + "<Autodiscover><Request><EMailAddress>&e;</EMailAddress></Request></Autodiscover>",
                "alice", "demo");
        assertThat(xxe.body()).contains("<ErrorCode>600</ErrorCode>").doesNotContain("root:");
        HttpResponse<String> outlook = pox(server, "/autodiscover/autodiscover.xml", request("alice@example.com",
                "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"), "alice", "demo");
        assertThat(outlook.body()).contains("<ErrorCode>601</ErrorCode>");
        assertThat(get(server, "/autodiscover/autodiscover.xml").statusCode()).isEqualTo(405);
    }

    @Test
    void jsonV2AnswersTheActiveSyncUrlWithoutCredentials() throws Exception {
        HttpResponse<String> response = get(server,
                "/autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=ActiveSync");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(Json.parseObject(response.body())).containsEntry("Protocol", "ActiveSync").containsEntry("Url", URL);

        HttpResponse<String> query = get(server,
                "/Autodiscover/Autodiscover.json?Email=alice%40example.com&Protocol=activesync&RedirectCount=1");
        assertThat(Json.parseObject(query.body())).containsEntry("Url", URL);

        HttpResponse<String> v1 = get(server,
                "/autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=AutodiscoverV1");
        assertThat(Json.parseObject(v1.body())).containsEntry("Protocol", "AutodiscoverV1")
                .containsEntry("Url", "https://eas.example.net/autodiscover/autodiscover.xml");

        HttpResponse<String> bad = get(server,
                "/autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=Ews%3Cscript%3E");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.parseObject(bad.body())).containsEntry("ErrorCode", "InvalidProtocol");
        assertThat(bad.body()).doesNotContain("<script>");
    }

    @Test
    void withoutPublicUrlAListedHostHeaderIsUsed() throws Exception {
        HttpResponse<String> response = get(derived,
                "/autodiscover/autodiscover.json/v1.0/bob@example.com?Protocol=ActiveSync");
        assertThat(Json.parseObject(response.body())).containsEntry("Url",
                "https://127.0.0.1:" + derived.gateway().port() + "/Microsoft-Server-ActiveSync");
    }

    @Test
    void unknownAutodiscoverPathsAre404() throws Exception {
        assertThat(get(server, "/autodiscover/other").statusCode()).isEqualTo(404);
        assertThat(URI.create("x").toString()).isEqualTo("x");
    }
}
