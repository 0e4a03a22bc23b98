package dev.easgate.backends.bus;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The documented message format of the change bus: one compact JSON object. On a Redis channel the user is the
 * channel's and never in the payload; the push webhook ({@code POST /push/v1/events}) takes the same object with a
 * {@code "user"} field added ({@link #decodeAddressed}).
 *
 * <ul>
 *   <li>{@code {"t":"folder","f":"<folderId>","h":false}}: something changed in a folder; {@code "f"} omitted (or
 *       null) means "some folder, unknown which" and wakes every waiting device of the user for all its folders;
 *       {@code "h":true} means the folder list itself changed (created, renamed, deleted folders); {@code "h"}
 *       defaults to false; {@code "at"} (optional) is the publication time in epoch milliseconds, for the gateway's
 *       wake latency metric; {@code "d"} (optional, gateway-internal) is the id of the user's device whose own
 *       request made the change, whose parked requests do not wake for it. The smallest wake-up a mail server can
 *       send is therefore {@code {"t":"folder"}}.</li>
 *   <li>{@code {"t":"parked","d":"<deviceId>","p":"<parkId>"}}: a device parked a new Ping or long Sync on some
 *       gateway node (gateway-internal).</li>
 * </ul>
 * Readers ignore unknown fields and values of other types in known fields where a default exists, so the format can
 * grow. A message that is not such an object (or names an unknown {@code "t"}) is dropped by the reader.
 */
public final class ChangePayload {
    /** Strict JSON, one value, bounded nesting against hostile input. */
    private static final JsonMapper JSON = JsonMapper.builder(new JsonFactoryBuilder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ChangePayload() {
    }

    /** The JSON of an event. */
    public static String encode(BusEvent event) {
        ObjectNode json = JSON.createObjectNode();
        if (event instanceof BusEvent.FolderChanged changed) {
            json.put("t", "folder");
            if (changed.folderId() != null) {
                json.put("f", changed.folderId());
            }
            json.put("h", changed.hierarchy());
            if (changed.publishedAtMillis() != 0) {
                json.put("at", changed.publishedAtMillis());
            }
            if (changed.originDevice() != null) {
                json.put("d", changed.originDevice());
            }
        } else if (event instanceof BusEvent.DeviceParked parked) {
            json.put("t", "parked").put("d", parked.deviceId()).put("p", parked.parkId());
        }
        return json.toString();
    }

    /**
     * The event a message of {@code user}'s channel carries.
     *
     * @throws IllegalArgumentException when the message is not a change payload (the reason in the message)
     */
    public static BusEvent decode(String user, String json) {
        return decode(user, object(json));
    }

    /**
     * The event of a message that names its user itself, {@code {"user":"alice@example.com","t":"folder",...}}: the
     * form the push webhook takes.
     *
     * @throws IllegalArgumentException when the message is not such a payload
     */
    public static BusEvent decodeAddressed(String json) {
        JsonNode fields = object(json);
        JsonNode user = fields.path("user");
        if (!user.isTextual() || user.textValue().isBlank()) {
            throw new IllegalArgumentException("\"user\" is missing or not a string");
        }
        return decode(user.textValue(), fields);
    }

    private static JsonNode object(String json) {
        JsonNode fields;
        try {
            fields = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a change payload: " + e.getOriginalMessage(), e);
        }
        if (fields == null || !fields.isObject()) {
            throw new IllegalArgumentException("not a change payload: not a JSON object");
        }
        return fields;
    }

    private static BusEvent decode(String user, JsonNode fields) {
        String type = fields.path("t").textValue();
        if ("folder".equals(type)) {
            JsonNode folder = fields.path("f");
            if (!folder.isMissingNode() && !folder.isNull() && !folder.isTextual()) {
                throw new IllegalArgumentException("\"f\" is not a string");
            }
            JsonNode at = fields.path("at");
            // a whole number of epoch milliseconds; anything else (a fraction, out of range) counts as absent
            long publishedAt = at.isIntegralNumber() && at.canConvertToLong() ? at.longValue() : 0;
            JsonNode origin = fields.path("d");
            if (!origin.isMissingNode() && !origin.isNull() && !origin.isTextual()) {
                throw new IllegalArgumentException("\"d\" is not a string");
            }
            return new BusEvent.FolderChanged(user, folder.textValue(), fields.path("h").booleanValue(),
                    publishedAt, origin.textValue());
        }
        if ("parked".equals(type)) {
            JsonNode device = fields.path("d");
            JsonNode park = fields.path("p");
            if (!device.isTextual() || !park.isTextual()) {
                throw new IllegalArgumentException("\"parked\" without string \"d\" and \"p\"");
            }
            return new BusEvent.DeviceParked(user, device.textValue(), park.textValue());
        }
        throw new IllegalArgumentException("unknown \"t\": " + type);
    }
}
