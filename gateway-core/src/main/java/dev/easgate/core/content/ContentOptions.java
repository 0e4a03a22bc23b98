package dev.easgate.core.content;

import dev.easgate.core.protocol.ProtocolVersion;
import java.util.List;
import java.util.Objects;

/**
 * How a client wants item content: its protocol version and the body options of its Sync or ItemOperations
 * Options (MS-ASCMD 2.2.3.125).
 *
 * @param version         the protocol version of the request
 * @param bodyPreferences AirSyncBase:BodyPreference elements in request order (12.0+); empty: none stated
 * @param mimeSupport     0 never MIME, 1 MIME for S/MIME messages only, 2 MIME for every message
 *                        (MS-ASCMD 2.2.3.100.3)
 * @param truncation      2.5 Truncation code 0..8 (MS-ASCMD 2.2.3.190), -1 when absent
 * @param mimeTruncation  MIMETruncation code 0..8 (MS-ASCMD 2.2.3.101), -1 when absent
 */
public record ContentOptions(ProtocolVersion version, List<BodyPreference> bodyPreferences, int mimeSupport,
                             int truncation, int mimeTruncation) {

    public ContentOptions {
        Objects.requireNonNull(version, "version");
        bodyPreferences = List.copyOf(bodyPreferences);
        if (mimeSupport < 0 || mimeSupport > 2) {
            throw new IllegalArgumentException("MIMESupport " + mimeSupport);
        }
    }

    /** A client's options when it sent none. */
    public static ContentOptions defaults(ProtocolVersion version) {
        return new ContentOptions(version, List.of(), 0, -1, -1);
    }

    /**
     * The byte limit of a 2.5 Truncation or MIMETruncation code (MS-ASCMD 2.2.3.190: 0 everything truncated,
     * 1 4 KB, 2 5 KB, 3 7 KB, 4 10 KB, 5 20 KB, 6 50 KB, 7 100 KB, 8 nothing truncated), -1 for no limit.
     */
    public static long truncationBytes(int code) {
        return switch (code) {
            case 0 -> 0;
            case 1 -> 4096;
            case 2 -> 5120;
            case 3 -> 7168;
            case 4 -> 10240;
            case 5 -> 20480;
            case 6 -> 51200;
            case 7 -> 102400;
            default -> -1;
        };
    }

    /** The preference for a body type, or {@code null} when the client did not ask for it. */
    public BodyPreference preference(int type) {
        for (BodyPreference preference : bodyPreferences) {
            if (preference.type() == type) {
                return preference;
            }
        }
        return null;
    }
}
