package dev.easgate.core.protocol;

/** The EAS protocol versions the gateway speaks (MS-ASHTTP 2.2.1.1.2.4 MS-ASProtocolVersion). */
public enum ProtocolVersion {
    V2_5("2.5", 25),
    V12_0("12.0", 120),
    V12_1("12.1", 121),
    V14_0("14.0", 140),
    V14_1("14.1", 141),
    V16_0("16.0", 160),
    V16_1("16.1", 161);

    private final String header;
    private final int base64Code;

    ProtocolVersion(String header, int base64Code) {
        this.header = header;
        this.base64Code = base64Code;
    }

    /** The value of the MS-ASProtocolVersion header, e.g. {@code 14.1}. */
    public String header() {
        return header;
    }

    /** The ProtocolVersion byte of the base64 query form (MS-ASHTTP 2.2.1.1.1.1), e.g. 141. */
    public int base64Code() {
        return base64Code;
    }

    public boolean atLeast(ProtocolVersion other) {
        return compareTo(other) >= 0;
    }

    /** The comma-separated list for the MS-ASProtocolVersions header. */
    public static String advertised() {
        StringBuilder out = new StringBuilder();
        for (ProtocolVersion version : values()) {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(version.header);
        }
        return out.toString();
    }

    /** The version of a header value, or {@code null} when it is not one the gateway speaks. */
    public static ProtocolVersion ofHeader(String value) {
        for (ProtocolVersion version : values()) {
            if (version.header.equals(value)) {
                return version;
            }
        }
        return null;
    }

    /** The version of a base64 query byte, or {@code null}. */
    public static ProtocolVersion ofBase64Code(int code) {
        for (ProtocolVersion version : values()) {
            if (version.base64Code == code) {
                return version;
            }
        }
        return null;
    }
}
