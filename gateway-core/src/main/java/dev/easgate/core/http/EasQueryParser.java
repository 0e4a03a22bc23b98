package dev.easgate.core.http;

import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** Parses the query string of an EAS request in its plain or base64 form (MS-ASHTTP 2.2.1.1.1). */
public final class EasQueryParser {
    /** MS-ASHTTP 2.2.1.1.1.2.3: DeviceId is at most 32 characters; we allow some slack for odd clients. */
    private static final int MAX_DEVICE_ID = 128;
    private static final int MAX_VALUE = 1024;

    private EasQueryParser() {
    }

    /** Thrown for a query the gateway cannot use; the message says why (no user content). */
    public static final class BadQueryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadQueryException(String message) {
            super(message);
        }
    }

    /**
     * Parses the raw query string (after '?', still percent-encoded).
     *
     * @throws BadQueryException when required parameters are missing or the base64 form is malformed
     */
    public static EasQuery parse(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            throw new BadQueryException("empty query");
        }
        if (rawQuery.indexOf('=') >= 0 && rawQuery.contains("Cmd=")) {
            return parsePlain(rawQuery);
        }
        return parseBase64(rawQuery);
    }

    private static EasQuery parsePlain(String rawQuery) {
        Map<String, String> values = new HashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (value.length() > MAX_VALUE) {
                throw new BadQueryException("query parameter " + name + " is too long");
            }
            values.putIfAbsent(name, value);
        }
        String cmd = required(values, "Cmd");
        EasCommand command = EasCommand.ofWireName(cmd);
        if (command == null) {
            throw new BadQueryException("unknown command '" + printable(cmd) + "'");
        }
        String deviceId = required(values, "DeviceId");
        checkDeviceId(deviceId);
        String deviceType = required(values, "DeviceType");
        String user = values.getOrDefault("User", "");
        Map<String, String> parameters = new HashMap<>();
        for (String name : new String[] {"AttachmentName", "CollectionId", "ItemId", "LongId", "Occurrence",
                "SaveInSent", "AcceptMultiPart"}) {
            String value = values.get(name);
            if (value != null) {
                parameters.put(name, value);
            }
        }
        return new EasQuery(command, user, deviceId, deviceType, null, null, parameters);
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadQueryException("bad percent-encoding in the query");
        }
    }

    private static String required(Map<String, String> values, String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new BadQueryException("query parameter " + name + " is missing");
        }
        return value;
    }

    private static void checkDeviceId(String deviceId) {
        if (deviceId.length() > MAX_DEVICE_ID) {
            throw new BadQueryException("DeviceId is longer than " + MAX_DEVICE_ID + " characters");
        }
        for (int i = 0; i < deviceId.length(); i++) {
            char c = deviceId.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw new BadQueryException("DeviceId holds a character outside printable ASCII");
            }
        }
    }

    /** MS-ASHTTP 2.2.1.1.1.1: version, command, locale, device id, policy key, device type, parameters. */
    private static EasQuery parseBase64(String rawQuery) {
        byte[] bytes;
        try {
            // percent-decoded only: '+' belongs to the base64 alphabet and is not a space here, whether or not the
            // client escaped it as %2B
            bytes = Base64.getDecoder().decode(decode(rawQuery.replace("+", "%2B")));
        } catch (IllegalArgumentException e) {
            throw new BadQueryException("query is neither plain nor valid base64");
        }
        Reader in = new Reader(bytes);
        int versionCode = in.u8("ProtocolVersion");
        ProtocolVersion version = ProtocolVersion.ofBase64Code(versionCode);
        if (version == null) {
            throw new BadQueryException("unsupported protocol version " + versionCode + " in the base64 query");
        }
        int commandCode = in.u8("CommandCode");
        EasCommand command = EasCommand.ofBase64Code(commandCode);
        if (command == null) {
            throw new BadQueryException("unknown command code " + commandCode + " in the base64 query");
        }
        in.skip(2, "Locale");
        String deviceId = deviceIdOf(in.lengthPrefixed("DeviceId"));
        checkDeviceId(deviceId);
        byte[] policyKeyBytes = in.lengthPrefixed("PolicyKey");
        Long policyKey = null;
        if (policyKeyBytes.length == 4) {
            policyKey = (policyKeyBytes[0] & 0xFFL) | (policyKeyBytes[1] & 0xFFL) << 8
                    | (policyKeyBytes[2] & 0xFFL) << 16 | (policyKeyBytes[3] & 0xFFL) << 24;
        } else if (policyKeyBytes.length != 0) {
            throw new BadQueryException("PolicyKey of " + policyKeyBytes.length + " bytes in the base64 query");
        }
        String deviceType = new String(in.lengthPrefixed("DeviceType"), StandardCharsets.UTF_8);
        if (deviceType.isBlank()) {
            throw new BadQueryException("DeviceType is missing in the base64 query");
        }
        Map<String, String> parameters = new HashMap<>();
        String user = "";
        while (in.remaining() > 0) {
            int tag = in.u8("parameter tag");
            byte[] value = in.lengthPrefixed("parameter value");
            String text = new String(value, StandardCharsets.UTF_8);
            switch (tag) {
                case 0 -> parameters.put("AttachmentName", text);
                case 1 -> parameters.put("CollectionId", text);
                case 3 -> parameters.put("ItemId", text);
                case 4 -> parameters.put("LongId", text);
                case 6 -> parameters.put("Occurrence", text);
                case 7 -> {
                    int options = value.length == 0 ? 0 : value[0] & 0xFF;
                    parameters.put("SaveInSent", (options & 0x01) != 0 ? "T" : "F");
                    parameters.put("AcceptMultiPart", (options & 0x02) != 0 ? "T" : "F");
                }
                case 8 -> user = text;
                default -> throw new BadQueryException("unknown parameter tag " + tag + " in the base64 query");
            }
        }
        return new EasQuery(command, user, deviceId, deviceType, version, policyKey, parameters);
    }

    /**
     * The base64 form carries the device id as bytes; clients send either ASCII or a binary GUID, which we render
     * as hex so that it is stable and printable.
     */
    private static String deviceIdOf(byte[] raw) {
        boolean printable = raw.length > 0;
        for (byte b : raw) {
            if (b < 0x21 || b > 0x7E) {
                printable = false;
                break;
            }
        }
        if (printable) {
            return new String(raw, StandardCharsets.US_ASCII);
        }
        if (raw.length == 0) {
            throw new BadQueryException("DeviceId is missing in the base64 query");
        }
        return java.util.HexFormat.of().withUpperCase().formatHex(raw);
    }

    private static String printable(String value) {
        String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return cut.replaceAll("[^\\x20-\\x7E]", "?");
    }

    /** Reads the base64 query's bytes with bounds checks. */
    private static final class Reader {
        private final byte[] bytes;
        private int pos;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        int remaining() {
            return bytes.length - pos;
        }

        int u8(String what) {
            if (pos >= bytes.length) {
                throw new BadQueryException("base64 query ends before " + what);
            }
            return bytes[pos++] & 0xFF;
        }

        void skip(int count, String what) {
            if (remaining() < count) {
                throw new BadQueryException("base64 query ends inside " + what);
            }
            pos += count;
        }

        byte[] lengthPrefixed(String what) {
            int length = u8(what + " length");
            if (remaining() < length) {
                throw new BadQueryException("base64 query ends inside " + what);
            }
            byte[] value = java.util.Arrays.copyOfRange(bytes, pos, pos + length);
            pos += length;
            return value;
        }
    }
}
