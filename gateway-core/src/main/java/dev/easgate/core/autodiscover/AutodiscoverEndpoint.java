package dev.easgate.core.autodiscover;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.core.admin.Json;
import dev.easgate.core.http.BasicCredentials;
import dev.easgate.core.http.EasEndpoint;
import dev.easgate.core.http.ThrottledLogin;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Autodiscover for mobile clients.
 *
 * <ul>
 *   <li>{@code POST /autodiscover/autodiscover.xml} (MS-ASCMD 2.2.1.1, the "mobilesync" schemas): Basic
 *       credentials required (HTTP 401 otherwise); the request's {@code Request/EMailAddress} and
 *       {@code AcceptableResponseSchema} are read; the answer names the user and one {@code Server} of Type
 *       {@code MobileSync} whose Url and Name are the public EAS URL. Malformed XML or a missing address gets
 *       ErrorCode 600 (Invalid Request), a schema other than mobilesync ErrorCode 601.</li>
 *   <li>{@code GET /autodiscover/autodiscover.json/v1.0/{address}?Protocol=ActiveSync} (Autodiscover v2, asked
 *       anonymously by Outlook mobile) and the {@code ?Email=...&Protocol=...} form: {@code {"Protocol":
 *       "ActiveSync","Url":...}}; {@code Protocol=AutodiscoverV1} points to the XML endpoint; any other protocol
 *       gets HTTP 400 with ErrorCode InvalidProtocol.</li>
 * </ul>
 */
public final class AutodiscoverEndpoint {
    public static final String PREFIX = "/autodiscover/";
    static final String REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006";
    static final String RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    static final String MOBILESYNC_NS =
            "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006";
    private static final Logger LOG = LoggerFactory.getLogger(AutodiscoverEndpoint.class);
    private static final int MAX_REQUEST = 16 * 1024;

    private final ThrottledLogin logins;
    private final String publicUrl;

    /**
     * @param logins    the Basic login, throttled together with the EAS endpoint's (login.* options)
     * @param publicUrl the EAS URL to answer, or "" to derive {@code https://<Host>/Microsoft-Server-ActiveSync}
     */
    public AutodiscoverEndpoint(ThrottledLogin logins, String publicUrl) {
        this.logins = java.util.Objects.requireNonNull(logins, "logins");
        this.publicUrl = publicUrl == null ? "" : publicUrl.strip();
    }

    /** Without failed-login throttling (tests of the protocol). */
    public AutodiscoverEndpoint(Accounts accounts, String publicUrl) {
        this(new ThrottledLogin(accounts, dev.easgate.core.http.FrontGuards.permissive(),
                new dev.easgate.core.metrics.GatewayMetrics()), publicUrl);
    }

    /** Whether a request path belongs here (case-insensitive, as clients spell it either way). */
    public static boolean matches(HttpServerRequest request) {
        return request.fullPath().toLowerCase(Locale.ROOT).startsWith(PREFIX);
    }

    public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        String path = request.fullPath().toLowerCase(Locale.ROOT);
        if (path.equals("/autodiscover/autodiscover.xml")) {
            if (!HttpMethod.POST.equals(request.method())) {
                return response.status(HttpResponseStatus.METHOD_NOT_ALLOWED).header("Allow", "POST").send();
            }
            return pox(request, response);
        }
        if (path.startsWith("/autodiscover/autodiscover.json")) {
            if (!HttpMethod.GET.equals(request.method())) {
                return response.status(HttpResponseStatus.METHOD_NOT_ALLOWED).header("Allow", "GET").send();
            }
            return json(request, response);
        }
        return response.status(HttpResponseStatus.NOT_FOUND).send();
    }

    /** The EAS URL for a request: the configured public URL, or derived from its Host header. */
    String easUrl(HttpServerRequest request) {
        if (!publicUrl.isEmpty()) {
            return publicUrl;
        }
        return "https://" + host(request) + EasEndpoint.PATH;
    }

    private static String host(HttpServerRequest request) {
        String host = request.requestHeaders().get("Host");
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.\\-:\\[\\]]+")) {
            return "localhost";
        }
        return host.strip();
    }

    // ---- Autodiscover v2 (JSON) ---------------------------------------------------------------------------------

    private Publisher<Void> json(HttpServerRequest request, HttpServerResponse response) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String protocol = first(query.parameters(), "Protocol");
        String lower = protocol == null ? "" : protocol.toLowerCase(Locale.ROOT);
        String body;
        int status = 200;
        if (lower.equals("activesync")) {
            body = Json.write(Map.of("Protocol", "ActiveSync", "Url", easUrl(request)));
        } else if (lower.equals("autodiscoverv1")) {
            String base = publicUrl.isEmpty() ? "https://" + host(request)
                    : publicUrl.replaceFirst("(?i)/Microsoft-Server-ActiveSync/?$", "");
            body = Json.write(Map.of("Protocol", "AutodiscoverV1", "Url", base + "/autodiscover/autodiscover.xml"));
        } else {
            status = 400;
            String shown = protocol == null ? "" : protocol.replaceAll("[^A-Za-z0-9]", "");
            body = Json.write(Map.of("ErrorCode", "InvalidProtocol", "ErrorMessage", "The given protocol value '"
                    + shown + "' is invalid. Supported values are 'ActiveSync,AutodiscoverV1'"));
            LOG.info("autodiscover v2: 400 for protocol '{}'", shown);
        }
        return response.status(status).header("Content-Type", "application/json; charset=utf-8")
                .sendString(Mono.just(body));
    }

    private static String first(Map<String, List<String>> parameters, String name) {
        for (Map.Entry<String, List<String>> e : parameters.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    // ---- Autodiscover (POX, mobilesync) -------------------------------------------------------------------------

    private Publisher<Void> pox(HttpServerRequest request, HttpServerResponse response) {
        BasicCredentials credentials = BasicCredentials.parse(request.requestHeaders().get("Authorization"));
        String address = logins.clientAddress(request);
        Mono<Optional<Account>> account = Mono.defer(() -> logins.login(credentials, address));
        return account.flatMap(found -> {
            if (found.isEmpty()) {
                LOG.info("autodiscover: 401 for {} from={}", credentials == null ? "a request without credentials"
                        : "user=" + credentials.user(), address);
                return response.status(HttpResponseStatus.UNAUTHORIZED)
                        .header("WWW-Authenticate", "Basic realm=\"ActiveSync\"").send().then();
            }
            return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
                    .flatMap(bytes -> xml(response, answer(request, found.get(), bytes)));
        }).onErrorResume(ThrottledLogin.RefusedException.class,
                e -> logins.refused(response, credentials, address, e));
    }

    private String answer(HttpServerRequest request, Account account, byte[] bytes) {
        if (bytes.length == 0 || bytes.length > MAX_REQUEST) {
            LOG.info("autodiscover: error 600 for user={}: empty or oversized request", account.user());
            return error(600, "Invalid Request");
        }
        Document document;
        try {
            document = parser().parse(new ByteArrayInputStream(bytes));
        } catch (Exception e) {
            LOG.info("autodiscover: error 600 for user={}: malformed XML", account.user());
            return error(600, "Invalid Request");
        }
        Element root = document.getDocumentElement();
        String address = text(root, "EMailAddress");
        String schema = text(root, "AcceptableResponseSchema");
        if (!"Autodiscover".equals(root.getLocalName()) || address == null || address.isBlank()) {
            LOG.info("autodiscover: error 600 for user={}: no Request/EMailAddress", account.user());
            return error(600, "Invalid Request");
        }
        if (schema == null || !schema.strip().equalsIgnoreCase(MOBILESYNC_NS)) {
            LOG.info("autodiscover: error 601 for user={}: response schema not served", account.user());
            return error(601, "Requested schema version not supported");
        }
        String url = escape(easUrl(request));
        LOG.info("autodiscover: answered user={}", account.user());
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<Autodiscover xmlns=\"" + RESPONSE_NS + "\">\n"
                + "  <Response xmlns=\"" + MOBILESYNC_NS + "\">\n"
                + "    <Culture>en:us</Culture>\n"
                + "    <User>\n"
                + "      <DisplayName>" + escape(account.displayName()) + "</DisplayName>\n"
                + "      <EMailAddress>" + escape(address.strip()) + "</EMailAddress>\n"
                + "    </User>\n"
                + "    <Action>\n"
                + "      <Settings>\n"
                + "        <Server>\n"
                + "          <Type>MobileSync</Type>\n"
                + "          <Url>" + url + "</Url>\n"
                + "          <Name>" + url + "</Name>\n"
                + "        </Server>\n"
                + "      </Settings>\n"
                + "    </Action>\n"
                + "  </Response>\n"
                + "</Autodiscover>\n";
    }

    private static String error(int code, String message) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<Autodiscover xmlns=\"" + RESPONSE_NS + "\">\n"
                + "  <Response xmlns=\"" + MOBILESYNC_NS + "\">\n"
                + "    <Error Time=\"" + java.time.LocalTime.now(java.time.ZoneOffset.UTC) + "\" Id=\"0\">\n"
                + "      <ErrorCode>" + code + "</ErrorCode>\n"
                + "      <Message>" + message + "</Message>\n"
                + "      <DebugData />\n"
                + "    </Error>\n"
                + "  </Response>\n"
                + "</Autodiscover>\n";
    }

    private static Mono<Void> xml(HttpServerResponse response, String body) {
        return response.status(HttpResponseStatus.OK).header("Content-Type", "text/xml; charset=utf-8")
                .sendString(Mono.just(body), StandardCharsets.UTF_8).then();
    }

    /** A namespace-aware parser that refuses DTDs and external entities (no XXE). */
    private static DocumentBuilder parser() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(null);
        return builder;
    }

    private static String text(Element root, String localName) {
        NodeList nodes = root.getElementsByTagNameNS("*", localName);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
