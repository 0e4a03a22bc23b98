package dev.easgate.backends.imip;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * MS-ASEMAIL 2.2.2.37 GlobalObjId, the meeting's identifier a phone matches its calendar item by, built from the
 * iCalendar UID as MS-ASEMAIL 3.1.4.7 converts between them: a UID that is an Outlook identifier (the hex form of
 * a GlobalObjId, starting with the class id) is that identifier's bytes; any other UID is wrapped as a vCal
 * identifier: class id, zero instance date, zero creation time, 8 reserved zero bytes, the little-endian length
 * of what follows, "vCal-Uid", version 1 (01 00 00 00), the UID's bytes and a 00 byte.
 */
public final class GlobalObjId {
    /** CLASSID of the ABNF. */
    private static final byte[] CLASS_ID = HexFormat.of().parseHex("040000008200E00074C5B7101A82E008");
    private static final String CLASS_ID_HEX = "040000008200E00074C5B7101A82E008";
    private static final byte[] VCAL_UID = "vCal-Uid".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERSION = {1, 0, 0, 0};

    private GlobalObjId() {
    }

    /** The GlobalObjId bytes of {@code uid}. */
    public static byte[] of(String uid) {
        String trimmed = uid.trim();
        if (isOutlookId(trimmed)) {
            return HexFormat.of().parseHex(trimmed);
        }
        byte[] text = trimmed.getBytes(StandardCharsets.UTF_8);
        int dataLength = VCAL_UID.length + VERSION.length + text.length + 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(40 + dataLength);
        out.writeBytes(CLASS_ID);
        out.writeBytes(new byte[4 + 8 + 8]); // INSTDATE, NOW, RESERVED
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(dataLength).array());
        out.writeBytes(VCAL_UID);
        out.writeBytes(VERSION);
        out.writeBytes(text);
        out.write(0);
        return out.toByteArray();
    }

    /** The element's value: the bytes in base64, as Exchange sends it. */
    public static String base64(String uid) {
        return Base64.getEncoder().encodeToString(of(uid));
    }

    /** The UID a GlobalObjId stands for (MS-ASEMAIL 3.1.4.7): the vCal UID, or the hex of an Outlook id. */
    public static String uid(byte[] globalObjId) {
        int dataStart = CLASS_ID.length + 4 + 8 + 8 + 4;
        if (globalObjId.length >= dataStart + VCAL_UID.length + VERSION.length + 1
                && new String(globalObjId, dataStart, VCAL_UID.length, StandardCharsets.US_ASCII).equals("vCal-Uid")) {
            int from = dataStart + VCAL_UID.length + VERSION.length;
            int to = globalObjId[globalObjId.length - 1] == 0 ? globalObjId.length - 1 : globalObjId.length;
            return new String(globalObjId, from, to - from, StandardCharsets.UTF_8);
        }
        byte[] copy = globalObjId.clone();
        if (copy.length >= 20) {
            // the instance date is zeroed: the UID names the series
            copy[16] = 0;
            copy[17] = 0;
            copy[18] = 0;
            copy[19] = 0;
        }
        return HexFormat.of().withUpperCase().formatHex(copy);
    }

    private static boolean isOutlookId(String uid) {
        return uid.length() >= 80 && uid.length() % 2 == 0
                && uid.toUpperCase(Locale.ROOT).startsWith(CLASS_ID_HEX)
                && uid.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }
}
