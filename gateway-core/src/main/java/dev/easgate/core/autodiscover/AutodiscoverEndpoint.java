package dev.easgate.core.autodiscover;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.logging.LogText;
import dev.easgate.core.admin.Json;
import dev.easgate.core.http.BasicCredentials;
import dev.easgate.core.http.EasEndpoint;
import dev.easgate.core.http.FrontGuards;
import dev.easgate.core.http.ThrottledLogin;
import dev.easgate.core.metrics.GatewayMetrics;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
 *
 * <p>The URL answered is public.url; without it, {@code https://<Host>/Microsoft-Server-ActiveSync} for a Host header
 * listed in autodiscover.hosts only: reflecting any Host would let whoever controls a request's Host (a poisoned
 * cache, a misrouted name) hand phones a server of their choosing. Any other Host gets the mobilesync schema's
 * user-level error (Action/Error with Status 2, MS-ASCMD 2.2.3.177.1 and its example 4.2.2), or HTTP 404 with
 * ErrorCode HostNotServed from the JSON endpoint.
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
    private final List<String> hosts;

    /**
     * @param logins    the Basic login, throttled together with the EAS endpoint's (login.* options)
     * @param publicUrl the EAS URL to answer, or "" to derive {@code https://<Host>/Microsoft-Server-ActiveSync}
     * @param hosts     without a public URL, the Host header values that may be reflected (lower case; a name
     *                  without a port matches any port)
     */
    public AutodiscoverEndpoint(ThrottledLogin logins, String publicUrl, List<String> hosts) {
        this.logins = Objects.requireNonNull(logins, "logins");
        this.publicUrl = publicUrl == null ? "" : publicUrl.strip();
        this.hosts = List.copyOf(hosts);
    }

    /** Without failed-login throttling (tests of the protocol). */
    public AutodiscoverEndpoint(Accounts accounts, String publicUrl, List<String> hosts) {
        this(new ThrottledLogin(accounts, FrontGuards.permissive(), new GatewayMetrics()), publicUrl, hosts);
    }

    /** Whether a URL can be answered at all: public.url is set, or some Host names may be reflected. */
    public boolean answers() {
        return !publicUrl.isEmpty() || !hosts.isEmpty();
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

    /** The EAS URL for a request: the configured public URL, or derived from a listed Host; empty otherwise. */
    Optional<String> easUrl(HttpServerRequest request) {
        if (!publicUrl.isEmpty()) {
            return Optional.of(publicUrl);
        }
        return servedHost(request).map(host -> "https://" + host + EasEndpoint.PATH);
    }

    /** The request's Host header when autodiscover.hosts lists it (by name and port, or by name alone). */
    private Optional<String> servedHost(HttpServerRequest request) {
        String header = request.requestHeaders().get("Host");
        if (header == null) {
            return Optional.empty();
        }
        String host = header.strip().toLowerCase(Locale.ROOT);
        if (host.isEmpty() || !host.matches("[a-z0-9.\\-:\\[\\]]+")) {
            return Optional.empty();
        }
        String name = host;
        int colon = host.lastIndexOf(':');
        if (colon > host.lastIndexOf(']') && host.substring(colon + 1).matches("[0-9]+")) {
            name = host.substring(0, colon);
        }
        return hosts.contains(host) || hosts.contains(name) ? Optional.of(host) : Optional.empty();
    }

    private static String shownHost(HttpServerRequest request) {
        String header = request.requestHeaders().get("Host");
        return header == null ? "(none)" : LogText.escape(header);
    }

    // ---- Autodiscover v2 (JSON) ---------------------------------------------------------------------------------

    private Publisher<Void> json(HttpServerRequest request, HttpServerResponse response) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String protocol = first(query.parameters(), "Protocol");
        String lower = protocol == null ? "" : protocol.toLowerCase(Locale.ROOT);
        String body;
        int status = 200;
        Optional<String> url = easUrl(request);
        if ((lower.equals("activesync") || lower.equals("autodiscoverv1")) && url.isEmpty()) {
            // no public.url and a Host not listed: reflecting it would hand out a URL the requester chose
            status = 404;
            body = Json.write(Map.of("ErrorCode", "HostNotServed", "ErrorMessage",
                    "Autodiscover has no URL for the host this request was sent to"));
            LOG.info("autodiscover v2: 404 for Host {}: not in autodiscover.hosts and no public.url",
                    shownHost(request));
        } else if (lower.equals("activesync")) {
            body = Json.write(Map.of("Protocol", "ActiveSync", "Url", url.get()));
        } else if (lower.equals("autodiscoverv1")) {
            String base = url.get().replaceFirst("(?i)/Microsoft-Server-ActiveSync/?$", "");
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
        Optional<String> served = easUrl(request);
        if (served.isEmpty()) {
            LOG.info("autodiscover: error for user={}: Host {} not in autodiscover.hosts and no public.url",
                    account.user(), shownHost(request));
            return hostNotServed(address.strip());
        }
        String url = escape(served.get());
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

    /**
     * The mobilesync schema's error about the user's settings (MS-ASCMD 2.2.3.63 Error in Action, 2.2.3.177.1
     * Status 2, laid out as the example of 4.2.2): the request was valid, the server has no URL to give for it.
     */
    private static String hostNotServed(String address) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<Autodiscover xmlns=\"" + RESPONSE_NS + "\">\n"
                + "  <Response xmlns=\"" + MOBILESYNC_NS + "\">\n"
                + "    <Culture>en:us</Culture>\n"
                + "    <User>\n"
                + "      <EMailAddress>" + escape(address) + "</EMailAddress>\n"
                + "    </User>\n"
                + "    <Action>\n"
                + "      <Error>\n"
                + "        <Status>2</Status>\n"
                + "        <Message>No ActiveSync URL is configured for the host this request was sent to</Message>\n"
                + "        <DebugData>autodiscover.hosts</DebugData>\n"
                + "      </Error>\n"
                + "    </Action>\n"
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
