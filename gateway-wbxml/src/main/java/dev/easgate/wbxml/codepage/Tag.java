package dev.easgate.wbxml.codepage;

/**
 * One tag of an EAS code page: the page it lives on, its token (0x05..0x3F, without the content/attribute bits)
 * and its name. Instances are interned by {@link CodePage}, so identity comparison is safe.
 */
public final class Tag {
    private final CodePage page;
    private final int token;
    private final String name;
    private final boolean userContent;

    Tag(CodePage page, int token, String name, boolean userContent) {
        this.page = page;
        this.token = token;
        this.name = name;
        this.userContent = userContent;
    }

    public CodePage page() {
        return page;
    }

    /** The token as written on the wire without the 0x40 (has content) and 0x80 (has attributes) bits. */
    public int token() {
        return token;
    }

    public String name() {
        return name;
    }

    /**
     * Whether the value of this tag may carry user content (names, addresses, subjects, bodies, ...) that logs
     * must redact. Protocol control values (sync keys, ids, status codes, sizes) are not user content.
     */
    public boolean userContent() {
        return userContent;
    }

    /** The qualified name, {@code Namespace:Name}, e.g. {@code AirSyncBase:Body}. */
    public String qualifiedName() {
        return page.namespace() + ":" + name;
    }

    @Override
    public String toString() {
        return qualifiedName() + "(0x" + Integer.toHexString(page.number()) + "/0x" + Integer.toHexString(token) + ")";
    }
}
