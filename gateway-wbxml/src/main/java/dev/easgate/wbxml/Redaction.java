package dev.easgate.wbxml;

/** How much of a document's values an XML rendering shows. */
public enum Redaction {
    /** Every value as it is: for fixtures and for debugging with explicit consent. */
    NONE,
    /**
     * Protocol control values (sync keys, ids, status codes, sizes) shown; the values of every tag that may carry
     * user content (names, addresses, subjects, bodies, MIME, passwords) replaced by their length. The default for
     * logs.
     */
    USER_CONTENT
}
