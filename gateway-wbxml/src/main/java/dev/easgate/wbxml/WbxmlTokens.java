package dev.easgate.wbxml;

/** Global tokens and header bytes of WBXML 1.3 as MS-ASWBXML 2.1.2 uses them. */
final class WbxmlTokens {
    static final int SWITCH_PAGE = 0x00;
    static final int END = 0x01;
    static final int ENTITY = 0x02;
    static final int STR_I = 0x03;
    static final int LITERAL = 0x04;
    static final int EXT_I_0 = 0x40;
    static final int EXT_I_2 = 0x42;
    static final int PI = 0x43;
    static final int LITERAL_C = 0x44;
    static final int EXT_T_0 = 0x80;
    static final int EXT_T_2 = 0x82;
    static final int STR_T = 0x83;
    static final int LITERAL_A = 0x84;
    static final int EXT_0 = 0xC0;
    static final int EXT_2 = 0xC2;
    static final int OPAQUE = 0xC3;
    static final int LITERAL_AC = 0xC4;

    /** Bit set on a tag token when the element has content. */
    static final int CONTENT = 0x40;
    /** Bit set on a tag token when the element has attributes (never in EAS). */
    static final int ATTRIBUTES = 0x80;

    /** MS-ASWBXML 2.1.2: version 1.3, public id 1 (unknown), charset UTF-8 (IANA MIBenum 106), no string table. */
    static final byte[] HEADER = {0x03, 0x01, 0x6A, 0x00};
    static final int CHARSET_UTF8 = 0x6A;

    private WbxmlTokens() {
    }
}
