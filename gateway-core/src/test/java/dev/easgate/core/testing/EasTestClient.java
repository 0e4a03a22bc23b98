package dev.easgate.core.testing;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A WBXML-over-HTTP client for integration tests: speaks to the gateway the way a phone does, with the project's
 * own codec. Remembers the policy key after {@link #provision()} and sends it on every later request.
 */
public final class EasTestClient {
    private final HttpClient http;
    private final URI base;
    private final String user;
    private final String password;
    private final String deviceId;
    private String deviceType = "TestPhone";
    private String protocolVersion = "16.1";
    private String userAgent = "EasTestClient/1.0";
    private String policyKey;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public EasTestClient(URI base, String user, String password, String deviceId) {
        this(newHttpClient(), base, user, password, deviceId);
    }

    /** A client sending through {@code http}, which many clients may share (its connections and threads). */
    public EasTestClient(HttpClient http, URI base, String user, String password, String deviceId) {
        this.http = http;
        this.base = base;
        this.user = user;
        this.password = password;
        this.deviceId = deviceId;
    }

    /** An HTTP client as each client has its own of by default. */
    public static HttpClient newHttpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public EasTestClient protocolVersion(String version) {
        this.protocolVersion = version;
        return this;
    }

    public EasTestClient deviceType(String type) {
        this.deviceType = type;
        return this;
    }

    public EasTestClient userAgent(String agent) {
        this.userAgent = agent;
        return this;
    }

    public EasTestClient policyKey(String key) {
        this.policyKey = key;
        return this;
    }

    public String policyKey() {
        return policyKey;
    }

    /** A header sent on every later request (e.g. MS-ASAcceptMultiPart). */
    public EasTestClient header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public String deviceId() {
        return deviceId;
    }

    /** A response: HTTP status, headers, and the body decoded when it is WBXML. */
    public record Response(int status, Map<String, List<String>> headers, byte[] bytes, WbxmlElement body) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        /** The text of a child of the root, e.g. {@code status("Status")}. */
        public String text(String child) {
            return body == null ? null : body.childText(child);
        }
    }

    public Response options() {
        return send(HttpRequest.newBuilder(base.resolve("/Microsoft-Server-ActiveSync"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    }

    /** POSTs a command with a WBXML body (or none when {@code body} is null) and the plain query form. */
    public Response post(String command, WbxmlElement body) {
        return post(command, body, Map.of());
    }

    public Response post(String command, WbxmlElement body, Map<String, String> parameters) {
        byte[] bytes = body == null ? new byte[0] : WbxmlEncoder.encode(body);
        return postBytes(command, bytes, body == null ? null : "application/vnd.ms-sync.wbxml", parameters);
    }

    public Response postBytes(String command, byte[] bytes, String contentType, Map<String, String> parameters) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("Cmd", command);
        query.put("User", user);
        query.put("DeviceId", deviceId);
        query.put("DeviceType", deviceType);
        query.putAll(parameters);
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(k).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/Microsoft-Server-ActiveSync?" + q))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("MS-ASProtocolVersion", protocolVersion);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request);
    }

    /** POSTs with the base64 query form (MS-ASHTTP 2.2.1.1.1.1). */
    public Response postBase64(byte[] encodedQuery, WbxmlElement body) {
        String q = Base64.getEncoder().encodeToString(encodedQuery);
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/Microsoft-Server-ActiveSync?" + q))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body == null ? new byte[0] : WbxmlEncoder.encode(body)))
                .header("Content-Type", "application/vnd.ms-sync.wbxml");
        return send(request);
    }

    public Response send(HttpRequest.Builder request) {
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        request.header("User-Agent", userAgent).timeout(Duration.ofSeconds(30));
        if (policyKey != null) {
            request.header("X-MS-PolicyKey", policyKey);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] bytes = response.body();
            WbxmlElement decoded = null;
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (bytes.length > 0 && type.startsWith("application/vnd.ms-sync.wbxml")) {
                decoded = WbxmlDecoder.DEFAULT.decode(bytes);
            }
            return new Response(response.statusCode(), response.headers().map(), bytes, decoded);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A Sync of one collection: SyncKey and CollectionId, and when {@code commands} is not null GetChanges 0 with
     * those Commands. Returns the answered Collection element.
     */
    public WbxmlElement syncCollection(String key, String collectionId,
                                       java.util.function.Consumer<WbxmlElement.Builder> commands) {
        WbxmlElement request = WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs
                .child("Collection", c -> {
                    c.child("SyncKey", key).child("CollectionId", collectionId);
                    if (commands != null) {
                        c.child("GetChanges", "0").child("Commands", commands);
                    }
                })).build();
        return post("Sync", request).body().child("Collections").child("Collection");
    }

    /** ItemOperations Fetch of one item from the Mailbox store; its Properties (fails unless Status is 1). */
    public WbxmlElement fetchItem(String collectionId, String serverId) {
        WbxmlElement request = WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations").child("Fetch", f -> f
                .child("Store", "Mailbox").child("AirSync:CollectionId", collectionId)
                .child("AirSync:ServerId", serverId)).build();
        WbxmlElement fetch = post("ItemOperations", request).body().child("Response").child("Fetch");
        if (!"1".equals(fetch.childText("Status"))) {
            throw new AssertionError("Fetch of " + serverId + " answered status " + fetch.childText("Status"));
        }
        return fetch.child("Properties");
    }

    /**
     * The two-phase Provision of MS-ASPROV 3.1.5.1: download the policy with a temporary key, acknowledge it, keep
     * the final key. Returns the final response.
     */
    public Response provision() {
        Response first = post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("Policies", p -> p.child("Policy", x -> x.child("PolicyType", "MS-EAS-Provisioning-WBXML")))
                .build());
        if (first.status() != 200 || first.body() == null) {
            return first;
        }
        WbxmlElement policy = first.body().child("Policies").child("Policy");
        String temporary = policy.childText("PolicyKey");
        policyKey = temporary;
        Response second = post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                .child("Policies", p -> p.child("Policy", x -> x
                        .child("PolicyType", "MS-EAS-Provisioning-WBXML")
                        .child("PolicyKey", temporary)
                        .child("Status", "1")))
                .build());
        if (second.body() != null && second.body().child("Policies") != null) {
            policyKey = second.body().child("Policies").child("Policy").childText("PolicyKey");
        }
        return second;
    }
}
