package dev.easgate.wbxml;

/**
 * The one exception the codec raises for input it refuses, with the reason and the byte offset where it was found.
 * Callers answer it as malformed input (HTTP 400 in the gateway) and log {@link #getMessage()}, which names both
 * and never holds user content.
 */
public final class WbxmlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the input was refused. */
    public enum Reason {
        /** The input ends inside the header, a string, an opaque value or an open element. */
        TRUNCATED,
        /** The header is not that of an EAS document (version, public id, charset). */
        BAD_HEADER,
        /** A string table, attribute, entity, literal, PI or extension token: WBXML features EAS does not use. */
        UNSUPPORTED_FEATURE,
        /** SWITCH_PAGE to a page MS-ASWBXML does not define. */
        UNKNOWN_PAGE,
        /** A tag token the current page does not define. */
        UNKNOWN_TOKEN,
        /** A multi-byte integer longer than 5 bytes or above the limits of a length. */
        INTEGER_OVERFLOW,
        /** Elements nested deeper than the configured limit. */
        TOO_DEEP,
        /** A string or opaque value longer than the configured limit. */
        TOO_LONG,
        /** More elements in the document than the configured limit. */
        TOO_MANY_ELEMENTS,
        /** Text or opaque data beside child elements, a value outside any element, or two roots. */
        MALFORMED_STRUCTURE,
        /** Bytes after the end of the root element. */
        TRAILING_DATA,
        /** Input that is neither, when asked to parse an XML rendering. */
        BAD_XML
    }

    private final Reason reason;
    private final long offset;

    public WbxmlException(Reason reason, long offset, String detail) {
        super(detail + " at byte offset " + offset + " (" + reason + ")");
        this.reason = reason;
        this.offset = offset;
    }

    public WbxmlException(Reason reason, long offset, String detail, Throwable cause) {
        this(reason, offset, detail);
        initCause(cause);
    }

    public Reason reason() {
        return reason;
    }

    /** The offset from the start of the document (header included) of the byte that was refused. */
    public long offset() {
        return offset;
    }
}
