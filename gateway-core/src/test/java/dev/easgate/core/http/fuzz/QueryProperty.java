package dev.easgate.core.http.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.http.BasicCredentials;
import dev.easgate.core.http.EasQuery;
import dev.easgate.core.http.EasQueryParser;
import dev.easgate.core.http.EasQueryParser.BadQueryException;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the front's parsers must do with any input: {@link EasQueryParser} answers a query or refuses it with
 * {@link BadQueryException} (never another exception), and what it answers is well-formed (a printable DeviceId of
 * at most 128 characters, a DeviceType); a query built well-formed (plain or base64, MS-ASHTTP 2.2.1.1.1) parses back
 * to exactly what was built. {@link BasicCredentials#parse} answers credentials or null, and a header built
 * well-formed (RFC 7617) gives back its user (domain part dropped) and password.
 */
final class QueryProperty {
    private static final String[] PLAIN_PARAMETERS = {"CollectionId", "ItemId", "LongId", "Occurrence",
            "AttachmentName", "SaveInSent", "AcceptMultiPart"};

    private QueryProperty() {
    }

    /** One query input: raw text, raw base64, or a well-formed query of either form. */
    static void query(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        switch (in.choice(4)) {
            case 0 -> parsedOrRefused(in.restAsText());
            case 1 -> {
                byte[] raw = in.rest();
                String encoded = Base64.getEncoder().encodeToString(raw);
                parsedOrRefused(raw.length % 2 == 0 ? encoded : URLEncoder.encode(encoded, StandardCharsets.UTF_8));
            }
            case 2 -> wellFormedPlain(in);
            default -> wellFormedBase64(in);
        }
    }

    /** The query, checked, or null when refused. */
    static EasQuery parsedOrRefused(String raw) {
        EasQuery query;
        try {
            query = EasQueryParser.parse(raw);
        } catch (BadQueryException e) {
            assertThat(e.getMessage()).isNotBlank();
            return null;
        }
        assertThat(query.command()).isNotNull();
        assertThat(query.user()).isNotNull();
        assertThat(query.deviceId()).hasSizeBetween(1, 128).matches("[\\x21-\\x7E]+");
        assertThat(query.deviceType()).isNotBlank();
        return query;
    }

    /** {@code ?Cmd=...&User=...&DeviceId=...&DeviceType=...} with fuzzed values and parameters, in fuzzed order. */
    static String plainQuery(FuzzInput in, Map<String, String> expectedParameters, String[] expectedFields) {
        EasCommand command = EasCommand.values()[in.choice(EasCommand.values().length)];
        String user = in.string(64);
        String deviceId = printable(in.string(128), "D");
        String deviceType = in.string(64);
        if (deviceType.isBlank()) {
            deviceType = "T";
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("Cmd", command.wireName());
        pairs.put("User", user);
        pairs.put("DeviceId", deviceId);
        pairs.put("DeviceType", deviceType);
        for (int i = in.choice(4); i > 0; i--) {
            String name = PLAIN_PARAMETERS[in.choice(PLAIN_PARAMETERS.length)];
            String value = in.string(64);
            if (!pairs.containsKey(name)) {
                pairs.put(name, value);
                expectedParameters.put(name, value);
            }
        }
        StringBuilder query = new StringBuilder();
        int first = in.choice(pairs.size()); // the pairs rotated: any order must do
        Object[] names = pairs.keySet().toArray();
        for (int i = 0; i < names.length; i++) {
            String name = (String) names[(first + i) % names.length];
            query.append(query.length() == 0 ? "" : "&").append(name).append('=')
                    .append(URLEncoder.encode(pairs.get(name), StandardCharsets.UTF_8));
        }
        expectedFields[0] = command.wireName();
        expectedFields[1] = user;
        expectedFields[2] = deviceId;
        expectedFields[3] = deviceType;
        return query.toString();
    }

    private static void wellFormedPlain(FuzzInput in) {
        Map<String, String> parameters = new LinkedHashMap<>();
        String[] fields = new String[4];
        String raw = plainQuery(in, parameters, fields);
        EasQuery query = parsedOrRefused(raw);
        assertThat(query).as("well-formed plain query %s", raw).isNotNull();
        assertThat(query).isEqualTo(new EasQuery(EasCommand.ofWireName(fields[0]), fields[1], fields[2], fields[3],
                null, null, parameters));
    }

    /** The base64 form (MS-ASHTTP 2.2.1.1.1.1), URL-encoded or not; fills {@code expected} with what it holds. */
    static String base64Query(FuzzInput in, EasQuery[] expected) {
        ProtocolVersion version = ProtocolVersion.values()[in.choice(ProtocolVersion.values().length)];
        EasCommand command = EasCommand.values()[in.choice(EasCommand.values().length)];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(version.base64Code());
        out.write(command.base64Code());
        out.write(in.choice(256));
        out.write(in.choice(256)); // locale
        String deviceId;
        byte[] idBytes = in.bytes(64);
        if (in.flag() || idBytes.length == 0) {
            deviceId = printable(new String(idBytes, StandardCharsets.ISO_8859_1), "D");
            idBytes = deviceId.getBytes(StandardCharsets.US_ASCII);
        } else {
            boolean printable = true;
            for (byte b : idBytes) {
                printable &= b >= 0x21 && b <= 0x7E;
            }
            // a binary id (a GUID) is rendered as upper-case hex
            deviceId = printable ? new String(idBytes, StandardCharsets.US_ASCII)
                    : HexFormat.of().withUpperCase().formatHex(idBytes);
        }
        lengthPrefixed(out, idBytes);
        Long policyKey = null;
        if (in.flag()) {
            byte[] key = {(byte) in.choice(256), (byte) in.choice(256), (byte) in.choice(256), (byte) in.choice(256)};
            policyKey = (key[0] & 0xFFL) | (key[1] & 0xFFL) << 8 | (key[2] & 0xFFL) << 16 | (key[3] & 0xFFL) << 24;
            lengthPrefixed(out, key);
        } else {
            out.write(0);
        }
        String deviceType = printable(in.string(32), "T");
        lengthPrefixed(out, deviceType.getBytes(StandardCharsets.US_ASCII));
        String user = "";
        Map<String, String> parameters = new LinkedHashMap<>();
        if (in.flag()) {
            user = in.string(80);
            out.write(8);
            lengthPrefixed(out, user.getBytes(StandardCharsets.UTF_8));
        }
        if (in.flag()) {
            String collection = in.string(64);
            out.write(1);
            lengthPrefixed(out, collection.getBytes(StandardCharsets.UTF_8));
            parameters.put("CollectionId", collection);
        }
        if (in.flag()) {
            int options = in.choice(4);
            out.write(7);
            lengthPrefixed(out, new byte[] {(byte) options});
            parameters.put("SaveInSent", (options & 1) != 0 ? "T" : "F");
            parameters.put("AcceptMultiPart", (options & 2) != 0 ? "T" : "F");
        }
        expected[0] = new EasQuery(command, user, deviceId, deviceType, version, policyKey, parameters);
        String encoded = Base64.getEncoder().encodeToString(out.toByteArray());
        return in.flag() ? URLEncoder.encode(encoded, StandardCharsets.UTF_8) : encoded;
    }

    private static void wellFormedBase64(FuzzInput in) {
        EasQuery[] expected = new EasQuery[1];
        String raw = base64Query(in, expected);
        if (expected[0].deviceId().length() > 128) {
            assertThat(parsedOrRefused(raw)).as("a DeviceId over 128 characters").isNull();
            return;
        }
        assertThat(parsedOrRefused(raw)).as("well-formed base64 query %s", raw).isEqualTo(expected[0]);
    }

    /** One Authorization header input: raw text, or a well-formed Basic header with fuzzed user and password. */
    static void credentials(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        if (in.flag()) {
            BasicCredentials parsed = BasicCredentials.parse(in.restAsText());
            if (parsed != null) {
                assertThat(parsed.user()).isNotNull();
                assertThat(parsed.password()).isNotNull();
            }
            return;
        }
        String scheme = new String[] {"Basic ", "basic ", "BASIC ", "bAsIc  "}[in.choice(4)];
        String user = in.string(64).replace(":", "");
        String password = new String(in.rest(), StandardCharsets.UTF_8);
        String header = scheme + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        BasicCredentials parsed = BasicCredentials.parse(header);
        if (user.isEmpty()) {
            assertThat(parsed).as("no user in %s", header).isNull();
            return;
        }
        int backslash = user.lastIndexOf('\\');
        String login = (backslash >= 0 ? user.substring(backslash + 1) : user).strip();
        assertThat(parsed).as(header).isEqualTo(new BasicCredentials(login, password));
    }

    private static void lengthPrefixed(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length);
        out.write(value, 0, value.length);
    }

    /** {@code text} reduced to printable ASCII (0x21-0x7E), or {@code fallback} when nothing is left. */
    static String printable(String text, String fallback) {
        StringBuilder out = new StringBuilder();
        text.chars().filter(c -> c >= 0x21 && c <= 0x7E).forEach(c -> out.append((char) c));
        return out.length() == 0 ? fallback : out.toString();
    }
}
