package dev.easgate.core.content;

import dev.easgate.wbxml.WbxmlElement;

/**
 * One AirSyncBase:BodyPreference of a request (MS-ASAIRS 2.2.2.7).
 *
 * @param type           1 plain text, 2 HTML, 3 RTF, 4 MIME (MS-ASAIRS 2.2.2.22.1)
 * @param truncationSize the most bytes of body data to send, or -1 for no limit (MS-ASAIRS 2.2.2.40.1)
 * @param allOrNone      send no data at all rather than a truncated body (MS-ASAIRS 2.2.2.3.1)
 * @param preview        characters of plain-text Preview to add (14.0+, MS-ASAIRS 2.2.2.37), 0 for none
 */
public record BodyPreference(int type, long truncationSize, boolean allOrNone, int preview) {
    public static final int PLAIN = 1;
    public static final int HTML = 2;
    public static final int RTF = 3;
    public static final int MIME = 4;

    /** Plain text without a limit: what a client that states no preference gets. */
    public static final BodyPreference DEFAULT = new BodyPreference(PLAIN, -1, false, 0);

    public BodyPreference {
        if (type < 1 || type > 4) {
            throw new IllegalArgumentException("body type " + type);
        }
        if (preview < 0 || preview > 255) {
            // MS-ASAIRS 2.2.2.37.1: Preview is 0 to 255 characters
            throw new IllegalArgumentException("preview " + preview);
        }
    }

    public boolean truncates(long size) {
        return truncationSize >= 0 && size > truncationSize;
    }

    /** Reads an AirSyncBase:BodyPreference element; throws IllegalArgumentException when malformed. */
    public static BodyPreference parse(WbxmlElement element) {
        int type = Integer.parseInt(required(element, "AirSyncBase:Type"));
        String size = element.childText("AirSyncBase:TruncationSize");
        String allOrNone = element.childText("AirSyncBase:AllOrNone");
        String preview = element.childText("AirSyncBase:Preview");
        return new BodyPreference(type, size == null ? -1 : Long.parseLong(size.strip()),
                allOrNone != null && allOrNone.strip().equals("1"),
                preview == null ? 0 : Integer.parseInt(preview.strip()));
    }

    private static String required(WbxmlElement element, String name) {
        String value = element.childText(name);
        if (value == null) {
            throw new IllegalArgumentException("BodyPreference without " + name);
        }
        return value.strip();
    }
}
